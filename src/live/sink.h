// Sink: one watcher's stream as the live call hub sees it, Server-Sent Events
// bytes out — the transport's own stream (common/byte_stream.h), handed over
// by the API's SSE handler; tests record what a client would receive.
#pragma once

#include "common/byte_stream.h"

namespace switchboard::live {

using Sink = ByteStream;

}  // namespace switchboard::live
