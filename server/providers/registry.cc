#include "providers/registry.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "common/resources.h"
#include "providers/apikley/apikley_dialect.h"
#include "providers/evolink/evolink_dialect.h"
#include "spec/published_model.h"
#include "spec/yaml_json.h"

namespace imagine {
namespace {

// The file's text, or false when it cannot be read.
bool ReadFile(const std::string& path, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream s;
  s << in.rdbuf();
  *text = s.str();
  return true;
}

}  // namespace

StatusOr<std::shared_ptr<const OpenApiDocument>> LoadProviderSpec(const std::string& resource,
                                                                  const SchemaSources& sources,
                                                                  std::set<std::string>* unused) {
  const std::string base = resource.substr(resource.rfind('/') + 1);
  std::string text, name = resource;
  if (!sources.dir.empty() && ReadFile(sources.dir + "/" + base, &text)) {
    name = sources.dir + "/" + base;
  } else {
    auto embedded = FindResource(resource);
    if (!embedded) return Internal(resource + " is not embedded in this build");
    text = std::string(*embedded);
  }
  // A $ref into another document: next to it in dir, else the embedded one.
  auto resolver = [&sources](const std::string& other) -> StatusOr<nlohmann::json> {
    std::string t;
    if (!sources.dir.empty() && ReadFile(sources.dir + "/" + other, &t)) return spec::ParseYamlDocument(t, sources.dir + "/" + other);
    return LoadEmbeddedJson("schemas/" + other);
  };
  bool grafted = false;
  nlohmann::json doc;
  for (const auto& [model, file] : sources.models) {
    if (doc.is_null()) {
      auto parsed = spec::ParseYamlDocument(text, name);
      if (!parsed.ok()) return parsed.status();
      doc = std::move(parsed).value();
    }
    if (!DeclaresModel(doc, model)) continue;
    std::string published;
    if (!ReadFile(file, &published)) return InvalidArgument(file + ": cannot read the file (schemas.models." + model + ")");
    IMAGINE_RETURN_IF_ERROR(GraftPublishedModel(doc, model, published, file));
    unused->erase(model);
    grafted = true;
  }
  if (grafted) text = doc.dump();  // JSON is YAML
  return OpenApiDocument::Parse(text, name, resolver);
}

StatusOr<std::shared_ptr<const OpenApiDocument>> LoadProviderSpec(std::string_view provider_name) {
  return LoadEmbeddedSpec("schemas/" + std::string(provider_name) + ".openapi.yaml");
}

StatusOr<std::vector<std::unique_ptr<ProviderSurface>>> RegisterProviders(const ProviderOptions& options,
                                                                          Engine* engine, Router* router) {
  ApikleyOptions apikley = options.apikley;
  apikley.validation = options.validation;
  EvolinkOptions evolink = options.evolink;
  evolink.validation = options.validation;
  std::vector<std::unique_ptr<const Dialect>> dialects;
  dialects.push_back(MakeApikleyDialect(std::move(apikley)));
  dialects.push_back(MakeEvolinkDialect(evolink));

  if (const std::string& dir = options.schemas.dir; !dir.empty()) {
    struct stat st{};
    if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return InvalidArgument(dir + ": schemas.dir: no such directory");
    }
  }
  std::set<std::string> unused;
  for (const auto& [model, file] : options.schemas.models) unused.insert(model);
  std::vector<std::unique_ptr<ProviderSurface>> surfaces;
  for (auto& dialect : dialects) {
    auto spec = LoadProviderSpec(dialect->traits().spec_resource, options.schemas, &unused);
    if (!spec.ok()) return spec.status();
    auto surface = ProviderSurface::Create(std::move(dialect), std::move(spec).value(), engine, options.image_fetcher);
    if (!surface.ok()) return surface.status();
    IMAGINE_RETURN_IF_ERROR(router->Mount(surface->get()));
    surfaces.push_back(std::move(surface).value());
  }
  if (!unused.empty()) {
    return InvalidArgument("config: schemas.models." + *unused.begin() + ": no provider's document has this model");
  }
  return surfaces;
}

}  // namespace imagine
