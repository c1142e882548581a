#include "engine/media.h"

#include <charconv>

#include "common/resources.h"

namespace imagine {
namespace {

const char* Extension(const OutputSpec& out) { return out.kind == MediaKind::kVideo ? "mp4" : "png"; }

std::string ResourceFor(const OutputSpec& out, int index) {
  if (out.kind == MediaKind::kVideo) {
    return "fixtures/media/video-" + std::to_string(out.quality_p) + "p-" + std::to_string(out.duration_s) + "s.mp4";
  }
  if (out.upscaled) return "fixtures/media/image-upscaled.png";
  return "fixtures/media/image-" + std::to_string(index % 6) + ".png";
}

}  // namespace

std::vector<std::string> ResultUrls(std::string_view public_url, const Task& task) {
  std::vector<std::string> urls;
  urls.reserve(static_cast<size_t>(task.output.count));
  for (int i = 0; i < task.output.count; ++i) {
    std::string url(public_url);
    url += "/media/";
    url += task.id;
    url += '/';
    url += std::to_string(i);
    url += '.';
    url += Extension(task.output);
    urls.push_back(std::move(url));
  }
  return urls;
}

StatusOr<MediaFile> ResolveMedia(const Task& task, std::string_view file_name, int64_t now_ms, int64_t ttl_ms) {
  if (task.timeline.StateAt(now_ms) != TaskState::kSucceeded) return NotFound("no such result file");
  if (task.results_expired || now_ms >= task.timeline.finished_ms + ttl_ms) {
    return NotFound("this result link has expired");
  }
  size_t dot = file_name.find('.');
  if (dot == std::string_view::npos || file_name.substr(dot + 1) != Extension(task.output)) {
    return NotFound("no such result file");
  }
  int index = -1;
  auto [ptr, ec] = std::from_chars(file_name.data(), file_name.data() + dot, index);
  if (ec != std::errc() || ptr != file_name.data() + dot || index < 0 || index >= task.output.count) {
    return NotFound("no such result file");
  }
  return ResultFile(task, index);
}

StatusOr<MediaFile> ResultFile(const Task& task, int index) {
  if (index < 0 || index >= task.output.count) return NotFound("no such result file");
  std::string resource = ResourceFor(task.output, index);
  for (const Resource& r : AllResources()) {
    if (r.name == resource) {
      return MediaFile{r.name, task.output.kind == MediaKind::kVideo ? "video/mp4" : "image/png", r.data};
    }
  }
  return Internal("fixture " + resource + " is not embedded in this build");
}

}  // namespace imagine
