#include "api/http_types.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

// PendingResponse: the answer reaches the transport once, whichever comes
// first (the answer or the transport), and a forgotten one still answers.
namespace switchboard::api {
namespace {

Response answer(int status) {
  Response r;
  r.status = status;
  return r;
}

TEST(PendingResponseTest, TheAnswerReachesTheTransportOnceInEitherOrder) {
  std::vector<int> delivered;
  auto record = [&](Response r) { delivered.push_back(r.status); };
  {
    PendingResponse pending;  // the transport first
    pending.on_complete(record);
    pending.complete(answer(200));
    pending.complete(answer(201));  // ignored
  }
  {
    PendingResponse pending;  // the answer first
    pending.complete(answer(202));
    pending.on_complete(record);
  }
  EXPECT_EQ(delivered, (std::vector<int>{200, 202}));
}

TEST(PendingResponseTest, ForgottenByItsHandlerItAnswers500) {
  int status = 0;
  {
    auto pending = std::make_shared<PendingResponse>();
    pending->on_complete([&](Response r) { status = r.status; });
  }
  EXPECT_EQ(status, 500);
}

TEST(PendingResponseTest, CompletedFromAnotherThread) {
  auto pending = std::make_shared<PendingResponse>();
  std::thread worker([pending] { pending->complete(answer(200)); });
  int status = 0;
  pending->on_complete([&](Response r) { status = r.status; });
  worker.join();
  EXPECT_EQ(status, 200);
}

}  // namespace
}  // namespace switchboard::api
