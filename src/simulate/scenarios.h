// The session scripts of the traffic generator (generator.h): one call, one
// WhatsApp conversation, or one campaign message with what follows it. Each
// returns the session's events in time order, starting at `start`. Pure;
// randomness only from `random`.
#pragma once

#include <string>
#include <vector>

#include "simulate/generator.h"
#include "simulate/sim_random.h"

namespace switchboard::simulate {

// An inbound or outbound call: initiated → dial_begin / answered … → end →
// summary → (usually) disposition.
Script call_session(SimRandom& random, TimePoint start);
// A customer- or business-initiated WhatsApp conversation, from the first
// message to conversation.close.
Script conversation_session(SimRandom& random, TimePoint start);
// A campaign template message (source "lccmpapi") to one customer, with its
// delivery, read, link click or failure, and sometimes a reply.
Script campaign_session(SimRandom& random, TimePoint start);

// The company directory the generated calls use (their agent_id and
// department_id), with names, e-mails and extensions: what `simulate` puts in
// the target company's directory before it publishes (unless --no-directory).
struct SimDirectory {
  struct Department {
    std::string id, name;
  };
  struct Agent {
    std::string id, name, email, extension, number, department_id;
  };
  std::vector<Department> departments;
  std::vector<Agent> agents;
};
SimDirectory sim_directory();

}  // namespace switchboard::simulate
