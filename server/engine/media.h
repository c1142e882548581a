// Result media: which embedded fixture file a finished task serves, under which URL,
// and until when. Stateless functions over a Task; thread-safe.
//
// URLs look like <public_url>/media/<task id>/<n>.<ext>; see ResolveMedia for the rules
// (task must have succeeded, link not expired, n < number of outputs).
#ifndef IMAGINE_ENGINE_MEDIA_H_
#define IMAGINE_ENGINE_MEDIA_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/task.h"

namespace imagine {

struct MediaFile {
  std::string_view resource;      // embedded resource name, e.g. "fixtures/media/video-480p-6s.mp4"
  std::string_view content_type;  // "video/mp4" or "image/png"
  std::string_view bytes;         // the file
};

// The result URLs of a successful task, in order.
std::vector<std::string> ResultUrls(std::string_view public_url, const Task& task);

// The file behind result `file_name` ("<n>.<ext>") of `task` at `now_ms`.
// kNotFound when the task has not succeeded, the link has expired (now >= finished +
// ttl_ms), or the name is not one of its results; kInternal when a fixture is missing.
StatusOr<MediaFile> ResolveMedia(const Task& task, std::string_view file_name, int64_t now_ms, int64_t ttl_ms);

// The file of result `index` (from 0) of `task`, whatever its links' state (what an upload
// sends). kNotFound for an index out of range; kInternal when a fixture is missing.
StatusOr<MediaFile> ResultFile(const Task& task, int index);

}  // namespace imagine

#endif  // IMAGINE_ENGINE_MEDIA_H_
