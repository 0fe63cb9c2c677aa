#include "model/http_framing.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace switchboard::model {
namespace {

struct Case {
  std::string name;
  std::vector<HeaderField> fields;
  unsigned version;
  bool ok;
  BodyFraming framing = BodyFraming::kNone;
  std::uint64_t length = 0;
};

const HeaderField kHost{"Host", "127.0.0.1"};

TEST(HttpFraming, AcceptsOnlyUnambiguousFramingAndExactlyOneHost) {
  const std::vector<Case> cases = {
      // No body.
      {"get", {kHost}, 11, true},
      {"http/1.0 without host", {}, 10, true},
      {"http/1.0 with host", {kHost}, 10, true},
      // Content-Length.
      {"content-length", {kHost, {"Content-Length", "5"}}, 11, true, BodyFraming::kContentLength, 5},
      {"content-length zero", {kHost, {"content-length", "0"}}, 11, true, BodyFraming::kContentLength, 0},
      {"same length twice",
       {kHost, {"Content-Length", "7"}, {"Content-Length", "7"}},
       11,
       true,
       BodyFraming::kContentLength,
       7},
      {"same length as a list",
       {kHost, {"Content-Length", "7, 7"}},
       11,
       true,
       BodyFraming::kContentLength,
       7},
      {"lengths disagree", {kHost, {"Content-Length", "7"}, {"Content-Length", "8"}}, 11, false},
      {"length list disagrees", {kHost, {"Content-Length", "7, 8"}}, 11, false},
      {"length not a number", {kHost, {"Content-Length", "abc"}}, 11, false},
      {"negative length", {kHost, {"Content-Length", "-1"}}, 11, false},
      {"empty length", {kHost, {"Content-Length", ""}}, 11, false},
      {"length overflows", {kHost, {"Content-Length", "99999999999999999999999"}}, 11, false},
      // Transfer-Encoding: chunked alone, in any case and spread over fields.
      {"chunked", {kHost, {"Transfer-Encoding", "chunked"}}, 11, true, BodyFraming::kChunked},
      {"chunked any case", {kHost, {"transfer-encoding", "CHUNKED"}}, 11, true, BodyFraming::kChunked},
      {"chunked with empty list elements",
       {kHost, {"Transfer-Encoding", " , chunked ,"}},
       11,
       true,
       BodyFraming::kChunked},
      // The smuggling primitives of the security review.
      {"gzip", {kHost, {"Transfer-Encoding", "gzip"}}, 11, false},
      {"xchunked", {kHost, {"Transfer-Encoding", "xchunked"}}, 11, false},
      {"identity", {kHost, {"Transfer-Encoding", "identity"}}, 11, false},
      {"chunked, identity", {kHost, {"Transfer-Encoding", "chunked, identity"}}, 11, false},
      {"gzip, chunked (cannot decode gzip)", {kHost, {"Transfer-Encoding", "gzip, chunked"}}, 11, false},
      {"chunked twice", {kHost, {"Transfer-Encoding", "chunked, chunked"}}, 11, false},
      {"chunked in two fields",
       {kHost, {"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}},
       11,
       false},
      {"identity then chunked fields",
       {kHost, {"Transfer-Encoding", "identity"}, {"Transfer-Encoding", "chunked"}},
       11,
       false},
      {"chunked then gzip fields",
       {kHost, {"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "gzip"}},
       11,
       false},
      {"chunked with a parameter", {kHost, {"Transfer-Encoding", "chunked;q=1"}}, 11, false},
      {"empty coding", {kHost, {"Transfer-Encoding", ""}}, 11, false},
      {"only commas", {kHost, {"Transfer-Encoding", " , "}}, 11, false},
      {"chunked and content-length",
       {kHost, {"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}},
       11,
       false},
      {"content-length and chunked",
       {kHost, {"Content-Length", "5"}, {"Transfer-Encoding", "chunked"}},
       11,
       false},
      {"gzip and content-length", {kHost, {"Transfer-Encoding", "gzip"}, {"Content-Length", "5"}}, 11, false},
      {"chunked on http/1.0", {{"Transfer-Encoding", "chunked"}}, 10, false},
      // Host.
      {"no host", {{"Content-Length", "0"}}, 11, false},
      {"two hosts", {kHost, kHost}, 11, false},
      {"host list", {{"Host", "a.example, b.example"}}, 11, false},
      {"host any case", {{"HOST", "a.example"}}, 11, true},
      {"empty host", {{"Host", ""}}, 11, true},  // RFC 9112 §3.2: allowed when the target has no authority
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto decision = request_framing(c.fields, c.version);
    EXPECT_EQ(decision.ok(), c.ok) << decision.error;
    if (c.ok) {
      EXPECT_EQ(decision.framing, c.framing);
      EXPECT_EQ(decision.content_length, c.length);
    } else {
      EXPECT_FALSE(decision.error.empty());
    }
  }
}

TEST(HttpFraming, ErrorsSayWhatIsWrong) {
  EXPECT_EQ(request_framing(std::vector<HeaderField>{}, 11).error,
            "An HTTP/1.1 request needs a Host header.");
  EXPECT_EQ(request_framing(std::vector<HeaderField>{kHost, {"Transfer-Encoding", "gzip"}}, 11).error,
            "The only transfer coding accepted is chunked, alone.");
  EXPECT_EQ(
      request_framing(
          std::vector<HeaderField>{kHost, {"Transfer-Encoding", "chunked"}, {"Content-Length", "1"}}, 11)
          .error,
      "A request must not have both Transfer-Encoding and Content-Length.");
}

}  // namespace
}  // namespace switchboard::model
