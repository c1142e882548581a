// The generated tables of docs/: every config key (from schemas/config.schema.yaml) and every
// control-API route (from schemas/admin.openapi.yaml), made from the embedded documents, which
// are the files under schemas/ of the build's source tree. A page holds a table between
//   <!-- BEGIN generated NAME: ... -->  and  <!-- END generated NAME -->
// lines; WithGenerated puts the current table there. Used by tools/docs_tables_main.cc
// (`scripts/build docs-tables` rewrites the pages) and by a unit test that fails while a page
// differs. Pure functions; thread-safe.
#ifndef IMAGINE_TOOLS_DOCS_TABLES_H_
#define IMAGINE_TOOLS_DOCS_TABLES_H_

#include <string>

namespace imagine::docs {

// "| key | type | default | meaning |" and one row per key, in the schema's order; a definition
// used twice is spelled out once and referred to after that. Throws nothing: a schema that
// cannot be read gives a one-line table body saying why.
std::string ConfigKeyTable();

// "| route | what it does | query | body |" and one row per operation, in the document's order.
std::string ControlApiTable();

// `page` with the lines between the BEGIN and END markers of `name` replaced by `table`;
// unchanged when it has no such markers.
std::string WithGenerated(const std::string& page, const std::string& name, const std::string& table);

}  // namespace imagine::docs

#endif  // IMAGINE_TOOLS_DOCS_TABLES_H_
