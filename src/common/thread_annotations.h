// Who may touch what, written where it is declared.
//
// - GUARDED_BY(m) / REQUIRES(m) / EXCLUDES(m): Clang's thread-safety
//   annotations (-Wthread-safety); they compile to nothing elsewhere (GCC), so
//   they document first and check where Clang builds.
// - ThreadOwner: state that belongs to one thread and is not locked (a loop's
//   own bookkeeping). The thread calls bind() when it starts; code that may run
//   only there calls assert_on_thread(), which checks in debug builds.
#pragma once

#include <atomic>
#include <cassert>
#include <thread>

#if defined(__clang__)
#define SB_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define SB_THREAD_ANNOTATION(x)
#endif

#define GUARDED_BY(x) SB_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) SB_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) SB_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) SB_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

namespace switchboard {

class ThreadOwner {
 public:
  // The calling thread owns from now on (until the next bind()).
  void bind() { owner_.store(std::this_thread::get_id(), std::memory_order_relaxed); }
  // Debug builds: aborts unless called on the owning thread.
  void assert_on_thread() const {
    assert(owner_.load(std::memory_order_relaxed) == std::this_thread::get_id() && "wrong thread");
  }

 private:
  std::atomic<std::thread::id> owner_{};
};

}  // namespace switchboard
