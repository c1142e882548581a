#include "providers/registry.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "common/resources.h"
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
  nlohmann::json doc;
  // An embedded document's schemas are compiled at their first use (a unit test compiles them
  // all); one read from a file, or with a published model grafted in, is checked whole here.
  SchemaCompilation compilation = SchemaCompilation::kAtLoad;
  if (!sources.dir.empty() && ReadFile(sources.dir + "/" + base, &text)) {
    name = sources.dir + "/" + base;
  } else if (!resource.empty() && resource[0] == '/') {
    if (!ReadFile(resource, &text)) return InvalidArgument(resource + ": cannot read the provider's document");
  } else {
    auto embedded = LoadEmbeddedJson(resource);  // parsed once per process
    if (!embedded.ok()) return Internal(resource + " is not embedded in this build");
    doc = std::move(embedded).value();
    compilation = SchemaCompilation::kAtFirstUse;
  }
  if (doc.is_null()) {
    auto parsed = spec::ParseYamlDocument(text, name);
    if (!parsed.ok()) return parsed.status();
    doc = std::move(parsed).value();
  }
  // A $ref into another document: next to it in dir, else the embedded one.
  auto resolver = [&sources](const std::string& other) -> StatusOr<nlohmann::json> {
    std::string t;
    if (!sources.dir.empty() && ReadFile(sources.dir + "/" + other, &t)) return spec::ParseYamlDocument(t, sources.dir + "/" + other);
    return LoadEmbeddedJson("schemas/" + other);
  };
  for (const auto& [model, file] : sources.models) {
    if (!DeclaresModel(doc, model)) continue;
    std::string published;
    if (!ReadFile(file, &published)) return InvalidArgument(file + ": cannot read the file (schemas.models." + model + ")");
    IMAGINE_RETURN_IF_ERROR(GraftPublishedModel(doc, model, published, file));
    unused->erase(model);
    compilation = SchemaCompilation::kAtLoad;
  }
  return OpenApiDocument::FromJson(std::move(doc), name, resolver, compilation);
}

StatusOr<std::shared_ptr<const OpenApiDocument>> LoadProviderSpec(std::string_view provider_name) {
  const ProviderPlugin* plugin = FindProviderPlugin(provider_name);
  if (plugin == nullptr) return NotFound("no provider " + std::string(provider_name));
  std::set<std::string> unused;
  return LoadProviderSpec(plugin->document, SchemaSources{}, &unused);
}

StatusOr<std::vector<std::unique_ptr<ProviderSurface>>> RegisterProviders(const ProviderOptions& options,
                                                                          Engine* engine, Router* router) {
  if (const std::string& dir = options.schemas.dir; !dir.empty()) {
    struct stat st{};
    if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return InvalidArgument(dir + ": schemas.dir: no such directory");
    }
  }
  std::set<std::string> unused;
  for (const auto& [model, file] : options.schemas.models) unused.insert(model);
  std::vector<std::unique_ptr<ProviderSurface>> surfaces;
  for (const ProviderPlugin& plugin : ProviderPlugins()) {
    auto given = options.providers.find(plugin.name);
    ProviderSettings settings = given != options.providers.end() ? given->second : ProviderSettings{};
    settings.provider = InternProvider(plugin.name);
    settings.validation = options.validation;
    std::unique_ptr<const Dialect> dialect = plugin.make(settings);
    if (dialect == nullptr || dialect->traits().provider != settings.provider) {
      return Internal("provider " + plugin.name + ": its factory must make a dialect with the id it was given");
    }
    auto spec = LoadProviderSpec(plugin.document, options.schemas, &unused);
    if (!spec.ok()) return spec.status();
    auto surface = ProviderSurface::Create(std::move(dialect), std::move(spec).value(), engine, options.image_fetcher);
    if (!surface.ok()) return surface.status();
    IMAGINE_RETURN_IF_ERROR(router->MountAtBases(surface->get()));
    surfaces.push_back(std::move(surface).value());
  }
  if (!unused.empty()) {
    return InvalidArgument("config: schemas.models." + *unused.begin() + ": no provider's document has this model");
  }
  return surfaces;
}

}  // namespace imagine
