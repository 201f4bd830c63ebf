// An interactive shell in a real terminal (a tmux pane): job control,
// Ctrl-C, Ctrl-Z, window resize and the exit status all behave as without mxc.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "support.hpp"

using mxc::test::TempDir;

namespace {

class Tmux {
public:
    explicit Tmux(const TempDir& dir) : socket_(dir.path() + "/tmux.sock") {}
    ~Tmux() { (void)cmd({"kill-server"}); }
    Tmux(const Tmux&) = delete;
    Tmux& operator=(const Tmux&) = delete;

    mxc::test::RunResult cmd(std::vector<std::string> args) const {
        mxc::test::RunSpec spec;
        spec.argv = {"tmux", "-S", socket_};
        spec.argv.insert(spec.argv.end(), args.begin(), args.end());
        spec.timeout = std::chrono::milliseconds(5000);
        return mxc::test::run(spec);
    }
    [[nodiscard]] std::string screen() const { return cmd({"capture-pane", "-p", "-t", "t"}).out; }
    // Waits until the pane shows `text` at least `count` times.
    bool wait_for(const std::string& text, int count = 1,
                  std::chrono::milliseconds patience = std::chrono::seconds(15)) const {
        const auto deadline = std::chrono::steady_clock::now() + patience;
        while (std::chrono::steady_clock::now() < deadline) {
            const std::string s = screen();
            int n = 0;
            for (auto pos = s.find(text); pos != std::string::npos; pos = s.find(text, pos + 1)) ++n;
            if (n >= count) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }
    // Sends `k` until `text` shows up: a key sent before the shell or the job
    // is ready (a loaded CI machine) is simply lost, so fixed sleeps race.
    bool keys_until(const std::vector<std::string>& k, const std::string& text, int count = 1) const {
        for (int attempt = 0; attempt < 20; ++attempt) {
            keys(k);
            if (wait_for(text, count, std::chrono::milliseconds(750))) return true;
        }
        return false;
    }
    void keys(std::vector<std::string> k) const {
        std::vector<std::string> args{"send-keys", "-t", "t"};
        args.insert(args.end(), k.begin(), k.end());
        (void)cmd(args);
    }

private:
    std::string socket_;
};

}  // namespace

TEST_CASE("an interactive bash in a terminal: job control, Ctrl-C, Ctrl-Z, resize, exit status") {
    TempDir ws;
    Tmux tmux(ws);
    // The pane's shell records mxc's exit status in a file: tmux's own
    // #{pane_dead_status} is sometimes left blank on a loaded machine.
    const std::string status_file = ws.path() + "/.mxc-status";
    const std::string command = std::string(MXC_DRIVER) + " -w " + ws.path() +
                                " --set 'PS1=mxc$ ' -- bash --norc --noprofile -i; echo $? > " + status_file;
    auto started = tmux.cmd({"-f", "/dev/null", "new-session", "-d", "-c", ws.path(), "-s", "t", "-x", "80",
                             "-y", "24", command});
    REQUIRE(started.status == 0);
    (void)tmux.cmd({"set-option", "-t", "t", "remain-on-exit", "on"});
    REQUIRE_MESSAGE(tmux.wait_for("mxc$"), tmux.screen());

    SUBCASE("job control") {
        // The marker shows the line was read and is running: a line typed
        // while a loaded machine is still bringing the prompt up can be lost,
        // and then no ^Z would ever stop anything.
        bool running = false;
        for (int attempt = 0; attempt < 2 && !running; ++attempt) {
            tmux.keys({"echo started-$((3+4)); sleep 100", "Enter"});
            running = tmux.wait_for("started-7");
        }
        REQUIRE_MESSAGE(running, tmux.screen());
        // Extra ^Z at a prompt are harmless: an interactive bash ignores SIGTSTP.
        CHECK_MESSAGE(tmux.keys_until({"C-z"}, "Stopped"), tmux.screen());
        tmux.keys({"jobs -l | wc -l", "Enter"});
        tmux.keys({"fg", "Enter"});
        // ^C until the resumed job is gone and the shell runs the echo; an
        // echo typed while sleep still owns the terminal is swallowed.
        bool back = false;
        for (int attempt = 0; attempt < 20 && !back; ++attempt) {
            tmux.keys({"C-c"});
            tmux.keys({"echo after-$((40+2))", "Enter"});
            back = tmux.wait_for("after-42", 1, std::chrono::milliseconds(750));
        }
        CHECK_MESSAGE(back, tmux.screen());
        // ttyname(3) finds the terminal (bound as /dev/console).
        tmux.keys({"tty", "Enter"});
        CHECK_MESSAGE(tmux.wait_for("/dev/console"), tmux.screen());
    }
    SUBCASE("window resize reaches bash as SIGWINCH") {
        tmux.keys({"trap 'echo got-winch' WINCH", "Enter"});
        tmux.keys({"tput cols", "Enter"});
        CHECK_MESSAGE(tmux.wait_for("\n80\n"), tmux.screen());
        (void)tmux.cmd({"resize-window", "-t", "t", "-x", "100", "-y", "24"});
        CHECK_MESSAGE(tmux.wait_for("got-winch"), tmux.screen());
        tmux.keys({"tput cols", "Enter"});
        CHECK_MESSAGE(tmux.wait_for("\n100\n"), tmux.screen());
    }
    SUBCASE("Ctrl-C at the prompt does not end the session; exit status is relayed") {
        // The terminal flushes its input queue on Ctrl-C, so keys typed
        // while the interrupt is still being handled can vanish ("cho"):
        // retry the line, as a user would.
        bool still = false;
        for (int attempt = 0; attempt < 20 && !still; ++attempt) {
            tmux.keys({"C-c"});
            tmux.keys({"echo still-$((1+1))", "Enter"});
            still = tmux.wait_for("still-2", 1, std::chrono::milliseconds(750));
        }
        CHECK_MESSAGE(still, tmux.screen());
        tmux.keys({"exit 5", "Enter"});
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
        std::string status;
        while (std::chrono::steady_clock::now() < deadline) {
            status = mxc::test::read_file(status_file);
            if (!status.empty() && status.back() == '\n') break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        CHECK(status == "5\n");
    }
}
