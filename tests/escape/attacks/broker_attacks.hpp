#pragma once
// Attacks on the connect broker (issue 11): the sandbox owns the memory and
// the descriptor table the supervisor reads, and holds the sockets the
// supervisor connected for it. Targets are host TCP services the test starts;
// each greets a client with a marker, which is how an attack proves it got
// through.
#include "attack_result.hpp"

namespace mxc::attack {

// TARGET_IP TARGET_PORT DECOY_IP DECOY_PORT MARKER: a thread flips the
// sockaddr between the allowed decoy and the refused target while connect()
// runs on it.
int connect_race(const Args& a);
// TARGET_IP TARGET_PORT DECOY_IP DECOY_PORT MARKER: a thread swaps the
// descriptor under connect() between a UDP socket and a socket the broker
// connected (to the decoy) whose connection has closed.
int connect_fd_swap(const Args& a);
// TARGET_IP TARGET_PORT COUNT ALLOWED_IP ALLOWED_PORT MARKER: COUNT connects
// to the target, then the allowed one must still work (exit 2 if not).
int connect_flood(const Args& a);
// ALLOWED_IP ALLOWED_PORT: malformed calls get the kernel's own errors, then
// an allowed connect works. Exit 0 when everything matched, 2 otherwise.
int connect_bad_args(const Args& a);
// ALLOWED_IP ALLOWED_PORT: processes killed in the middle of connects; then
// an allowed connect works. Exit 0 when it does.
int connect_killed_midway(const Args& a);
// DECOY_IP DECOY_PORT TARGET_IP TARGET_PORT MARKER: after the decoy closes
// its connection, sendto(MSG_FASTOPEN) on that socket to the target.
int fastopen_reuse(const Args& a);
// DECOY_IP DECOY_PORT: after the decoy closes its connection, listen() on
// that socket (it would listen in the host's network namespace).
int listen_reuse(const Args& a);

}  // namespace mxc::attack
