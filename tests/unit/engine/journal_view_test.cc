// Journal::Append from views (the request path) keeps what Append of a whole entry keeps:
// the same entry reads back, byte for byte as JSON, with bodies and headers within the
// cut and past it (where the view path copies and cuts as the whole-entry path does).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "engine/journal.h"

namespace imagine {
namespace {

JournalEntry Sample(size_t body_bytes, size_t header_value_bytes) {
  JournalEntry e;
  e.kind = JournalEntry::Kind::kRequest;
  e.at_ms = 1757169743000;
  e.wall_ms = 1757169743123;
  e.request_id = "req-1";
  e.task_id = "task-unified-1757169743-7cvnl5zw";
  e.key = "key-1";
  e.provider = "evolink";
  e.operation = "createVideoGeneration";
  e.method = "POST";
  e.path = "/v1/videos/generations";
  e.query = "a=1";
  e.request_headers = {{"Host", "127.0.0.1"}, {"Content-Type", "application/json"},
                       {"X-Long", std::string(header_value_bytes, 'h')}};
  e.request_body = std::string(body_bytes, 'b');
  e.status = 200;
  e.content_type = "application/json";
  e.response_body = R"({"id":"task-unified-1757169743-7cvnl5zw","status":"pending"})";
  e.latency_us = 42;
  e.scenario = "slow";
  e.detail_json = R"({"base":"/evolink"})";
  return e;
}

TEST_CASE("journal: an entry appended as views reads back as the same entry appended whole") {
  JournalOptions o;
  o.capacity = 100;
  o.max_body_bytes = 1024;
  Journal whole(o), viewed(o);
  const std::vector<JournalEntry> entries = {Sample(10, 10), Sample(0, 0), Sample(5000, 10), Sample(10, 5000),
                                             Sample(5000, 5000)};
  for (const JournalEntry& e : entries) {
    whole.Append(JournalEntry(e));
    viewed.Append(JournalEntryView::Of(e));
  }
  JournalEntry state;  // no headers at all
  state.kind = JournalEntry::Kind::kState;
  state.task_id = "t1";
  state.detail_json = R"({"state":"queuing","model":"m"})";
  whole.Append(JournalEntry(state));
  JournalEntryView state_view = JournalEntryView::Of(state);
  state_view.request_headers = nullptr;
  viewed.Append(state_view);

  const std::vector<JournalEntry> a = whole.Query(JournalFilter{}, nullptr);
  const std::vector<JournalEntry> b = viewed.Query(JournalFilter{}, nullptr);
  REQUIRE(a.size() == entries.size() + 1);
  REQUIRE(b.size() == a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    CHECK(Journal::ToJson(b[i]) == Journal::ToJson(a[i]));
  }
  CHECK(b[2].request_body.size() < 1100);  // cut, like the whole entry's
  CHECK(viewed.bytes() == whole.bytes());
}

}  // namespace
}  // namespace imagine
