#pragma once
// The supervisor's side of learning (issue 13; docs/design.md "Learning
// sandbox"): every path-taking system call the learning filter hands over is
// recorded (absolute path, kind of access, the program that made it) and
// then let through unchanged with SECCOMP_USER_NOTIF_FLAG_CONTINUE.
//
// CONTINUE lets the kernel run the call on the process's own arguments, which
// it may change after they were read: what is recorded is therefore a report,
// never a decision. That is acceptable here only because recording is not the
// boundary: the learning sandbox's mounts are (base deny rules masked, the
// rest read-only or a throwaway overlay), exactly as docs/design.md says.
#include <sys/types.h>

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "learn/observations.hpp"
#include "platform/linux/plan/learn_syscalls.hpp"

struct seccomp_notif;

namespace mxc::lnx {

class LearnTracer {
public:
    // `tmp_dir`: {tmp}, never recorded. `cap`: distinct entries kept.
    explicit LearnTracer(std::string tmp_dir, std::size_t cap = 200000);
    ~LearnTracer();
    LearnTracer(const LearnTracer&) = delete;
    LearnTracer& operator=(const LearnTracer&) = delete;

    // Sandbox init (host pid): its own calls (building the view, listing the
    // layers) are let through unrecorded.
    void set_init(pid_t pid) { init_ = pid; }

    // One notification of a learned call: record, answer CONTINUE. Called
    // on one thread at a time (the connect broker's, or start()'s).
    void handle(int notify_fd, const seccomp_notif& req);

    // No connect broker (network = "host"): serve `notify` on a thread of
    // our own until stop().
    Status start(UniqueFd notify);
    void stop();

    // After stop() (or the broker's): what was recorded, and how many
    // distinct entries the cap dropped.
    std::vector<learn::FsObservation> take();
    std::size_t dropped();

private:
    void serve();
    void respond_continue(int notify_fd, std::uint64_t id);
    bool exists_in_sandbox(pid_t tid, const std::string& path);

    std::string tmp_dir_;
    pid_t init_ = 0;
    std::mutex mu_;
    ObservationSet seen_;
    UniqueFd root_;  // the sandbox's root (O_PATH), for the exists check
    std::vector<char> response_;
    std::map<pid_t, std::string> programs_;  // thread -> its executable (until execve)
    UniqueFd notify_;
    UniqueFd stop_;
    std::thread thread_;
};

}  // namespace mxc::lnx
