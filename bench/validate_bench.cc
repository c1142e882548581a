// Benchmark (not a test): the median time to check a typical create body, per provider,
// through the same steps a request takes — parse, validate the envelope, validate the
// per-model schema with defaults, run the cross-field rules. Prints one line per case:
// the median ns per body over several runs, and the spread (min and max run).
//
//   build/bench_validate [runs=15] [iterations_per_run=20000]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "providers/common/request_body.h"
#include "providers/evolink/rules.h"
#include "providers/registry.h"

namespace imagine {
namespace {

struct Case {
  const char* name;
  const char* provider;
  const char* operation;
  const char* model;
  std::string body;
};

double RunOnce(const OpenApiOperation& op, const spec::Validator& model_schema, const std::string& body, int iterations,
               bool evolink) {
  RequestValidation limits;
  const std::vector<Rule> evolink_rules = evolink::Rules(EvolinkOptions{});
  const std::string model = "grok-imagine-image-to-video-beta";
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    auto parsed = ParseJsonObjectBody(body, "application/json", limits);
    if (!parsed.ok()) std::abort();
    if (!ValidateAgainst(*op.request_body, *parsed, false).ok()) std::abort();
    if (!ValidateAgainst(model_schema, *parsed, false).ok()) std::abort();
    RuleContext ctx{*parsed, model, "key", 0, nullptr, std::nullopt, Provider{}};
    if (evolink && !CheckRules(evolink_rules, ctx).ok()) std::abort();
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  return std::chrono::duration<double, std::nano>(elapsed).count() / iterations;
}

double RunValidateOnly(const spec::Validator& schema, const nlohmann::json& parsed, int iterations) {
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    nlohmann::json copy = parsed;
    std::vector<spec::ValidationError> errors;
    spec::ValidateOptions options;
    options.apply_defaults = true;
    if (!schema.Validate(copy, &errors, options)) std::abort();
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  return std::chrono::duration<double, std::nano>(elapsed).count() / iterations;
}

void Report(const char* name, std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  std::printf("%-44s median %8.0f ns   (min %.0f, max %.0f over %zu runs)\n", name, samples[samples.size() / 2],
              samples.front(), samples.back(), samples.size());
}

}  // namespace
}  // namespace imagine

int main(int argc, char** argv) {
  using namespace imagine;
  const int runs = argc > 1 ? std::atoi(argv[1]) : 15;
  const int iterations = argc > 2 ? std::atoi(argv[2]) : 20000;
  const Case cases[] = {
      {"apikley image-to-video create", "apikley", "createTask", "grok-imagine/image-to-video",
       R"({"model":"grok-imagine/image-to-video","callBackUrl":"https://your-domain.com/api/callback",)"
       R"("input":{"image_urls":["https://file.aiquickdraw.com/custom-page/akr/section-images/1762247692373tw5di116.png"],)"
       R"("prompt":"POV hand comes into frame handing the girl a cup of take away coffee, the girl steps out of the screen looking tired","mode":"normal"}})"},
      {"evolink image-to-video create", "evolink", "createVideoGeneration", "grok-imagine-image-to-video-beta",
       R"({"model":"grok-imagine-image-to-video-beta","prompt":"The person starts dancing",)"
       R"("image_urls":["https://example.com/image.jpg"],"duration":6,"mode":"normal","quality":"480p",)"
       R"("callback_url":"https://your-domain.com/webhooks/video-task-completed"})"},
  };
  std::printf("bench_validate: %d runs x %d bodies each\n", runs, iterations);
  for (const Case& c : cases) {
    auto doc = LoadProviderSpec(c.provider);
    if (!doc.ok()) {
      std::fprintf(stderr, "%s\n", doc.status().ToString().c_str());
      return 1;
    }
    const OpenApiOperation* op = (*doc)->Find(c.operation);
    const spec::Validator& model_schema = *op->models.at(c.model);
    const bool evolink = std::string(c.provider) == "evolink";
    std::vector<double> full, schema_only;
    nlohmann::json parsed = nlohmann::json::parse(c.body);
    RunOnce(*op, model_schema, c.body, iterations / 10, evolink);  // warm up
    for (int r = 0; r < runs; ++r) {
      full.push_back(RunOnce(*op, model_schema, c.body, iterations, evolink));
      schema_only.push_back(RunValidateOnly(model_schema, parsed, iterations));
    }
    Report((std::string(c.name) + ": parse+validate+rules").c_str(), full);
    Report((std::string(c.name) + ": model schema only").c_str(), schema_only);
  }
  return 0;
}
