// preparse_yaml: a build-time host tool. Converts an embedded YAML document (schemas/*.yaml,
// fixtures/*.yaml) to CBOR with the same conversion the emulator uses at run time
// (spec::ParseOrderedYamlDocument: each mapping's keys in the YAML's order, so that a reader
// that needs the order, such as the scenario catalog's, has it), so that start-up reads the
// binary form instead of running yaml-cpp (which was about half of the start-up time). Run by
// CMake for each embedded YAML file; the output is embedded beside the text
// (common/resources.h FindPreparsed).
//
//   preparse_yaml IN.yaml NAME OUT.cbor     (NAME: the resource name errors mention)
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "spec/yaml_json.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: preparse_yaml IN.yaml NAME OUT.cbor\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << "preparse_yaml: cannot read " << argv[1] << "\n";
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto doc = imagine::spec::ParseOrderedYamlDocument(text.str(), argv[2]);
  if (!doc.ok()) {
    std::cerr << "preparse_yaml: " << doc.status().message() << "\n";
    return 1;
  }
  const std::vector<uint8_t> cbor = nlohmann::ordered_json::to_cbor(*doc);
  const std::string tmp = std::string(argv[3]) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(cbor.data()), static_cast<std::streamsize>(cbor.size()));
    if (!out) {
      std::cerr << "preparse_yaml: cannot write " << tmp << "\n";
      return 1;
    }
  }
  if (std::rename(tmp.c_str(), argv[3]) != 0) {
    std::cerr << "preparse_yaml: cannot rename " << tmp << " to " << argv[3] << "\n";
    return 1;
  }
  return 0;
}
