#include "engine/media.h"

#include <doctest/doctest.h>

namespace imagine {
namespace {

Task Finished(MediaKind kind, int count) {
  Task t;
  t.id = "abc";
  t.output.kind = kind;
  t.output.count = count;
  t.timeline = {0, 1, 2, 1000, TaskState::kSucceeded};
  return t;
}

}  // namespace

TEST_CASE("ResultUrls lists one URL per output under /media/<id>/") {
  Task t = Finished(MediaKind::kImage, 3);
  auto urls = ResultUrls("http://h:1", t);
  REQUIRE(urls.size() == 3);
  CHECK(urls[0] == "http://h:1/media/abc/0.png");
  CHECK(urls[2] == "http://h:1/media/abc/2.png");
  CHECK(ResultUrls("http://h:1", Finished(MediaKind::kVideo, 1))[0] == "http://h:1/media/abc/0.mp4");
}

TEST_CASE("ResolveMedia picks the fixture by kind, quality, duration and index") {
  Task video = Finished(MediaKind::kVideo, 1);
  video.output.quality_p = 720;
  video.output.duration_s = 10;
  auto f = ResolveMedia(video, "0.mp4", 1000, 5000);
  REQUIRE(f.ok());
  CHECK(f->resource == "fixtures/media/video-720p-10s.mp4");
  CHECK(f->content_type == "video/mp4");
  CHECK(f->bytes.substr(4, 4) == "ftyp");

  Task images = Finished(MediaKind::kImage, 6);
  CHECK(ResolveMedia(images, "4.png", 1000, 5000)->resource == "fixtures/media/image-4.png");
  images.output.upscaled = true;
  CHECK(ResolveMedia(images, "0.png", 1000, 5000)->resource == "fixtures/media/image-upscaled.png");
}

TEST_CASE("ResolveMedia refuses unfinished tasks, expired links and foreign names") {
  Task t = Finished(MediaKind::kVideo, 1);
  CHECK(ResolveMedia(t, "0.mp4", 999, 5000).status().code() == Code::kNotFound);   // not done yet
  CHECK(ResolveMedia(t, "0.mp4", 5999, 5000).ok());                              // last valid ms
  auto expired = ResolveMedia(t, "0.mp4", 6000, 5000);
  CHECK(expired.status().code() == Code::kNotFound);
  CHECK(expired.status().message() == "this result link has expired");
  for (const char* name : {"1.mp4", "0.png", "x.mp4", "-1.mp4", "0", "00x.mp4"}) {
    INFO(std::string(name));
    CHECK(ResolveMedia(t, name, 2000, 5000).status().code() == Code::kNotFound);
  }
  t.timeline.outcome = TaskState::kFailed;
  CHECK(ResolveMedia(t, "0.mp4", 2000, 5000).status().code() == Code::kNotFound);
}

}  // namespace imagine
