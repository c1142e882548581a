// Config snippets shared by integration tests. Fixed stage timings make transitions land
// at exact virtual-clock instants: waiting 0–1 s, queuing 1–3 s, generating 3–10 s,
// terminal at 10 s (every model, both providers). Test-only.
#ifndef IMAGINE_TESTS_SUPPORT_TEST_CONFIGS_H_
#define IMAGINE_TESTS_SUPPORT_TEST_CONFIGS_H_

namespace imagine::testing {

constexpr const char* kFixedTimingConfig = R"(
clock: {mode: virtual, start_ms: 1760000000000}
seed: 42
apikley:
  models:
    grok-imagine/image-to-video: {timing: {waiting_s: [1, 1], queuing_s: [2, 2], total_s: [10, 10]}}
    grok-imagine/text-to-image: {timing: {waiting_s: [1, 1], queuing_s: [2, 2], total_s: [10, 10]}}
    grok-imagine/text-to-video: {timing: {waiting_s: [1, 1], queuing_s: [2, 2], total_s: [10, 10]}}
    grok-imagine/upscale: {timing: {waiting_s: [1, 1], queuing_s: [2, 2], total_s: [10, 10]}}
evolink:
  models:
    grok-imagine-image-to-video-beta: {timing: {waiting_s: [1, 1], queuing_s: [2, 2], total_s: [10, 10]}}
    grok-imagine-text-to-video: {timing: {waiting_s: [1, 1], queuing_s: [2, 2], total_s: [10, 10]}}
)";

// The virtual clock's start instant in kFixedTimingConfig.
constexpr long long kFixedStartMs = 1760000000000LL;

}  // namespace imagine::testing

#endif  // IMAGINE_TESTS_SUPPORT_TEST_CONFIGS_H_
