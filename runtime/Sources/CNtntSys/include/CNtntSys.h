// System calls Swift's Glibc module does not expose (epoll, eventfd), behind tiny wrappers.
// `struct epoll_event` is packed on x86-64, so Swift never touches it directly: the wrappers
// copy events into two plain arrays.
#ifndef CNTNTSYS_H
#define CNTNTSYS_H

#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

enum {
    NTNT_EPOLLIN = EPOLLIN,
    NTNT_EPOLLOUT = EPOLLOUT,
    NTNT_EPOLLERR = EPOLLERR,
    NTNT_EPOLLHUP = EPOLLHUP,
    NTNT_EPOLLRDHUP = EPOLLRDHUP,
};

/// epoll_create1(EPOLL_CLOEXEC).
int ntnt_epoll_create(void);

/// epoll_ctl with the event's data set to `data`; `op` is 0 add, 1 modify, 2 delete.
int ntnt_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);

/// epoll_wait that writes each ready event's data and flags into `datas`/`flags`.
int ntnt_epoll_wait(int epfd, uint64_t *datas, uint32_t *flags, int max, int timeout_ms);

/// A non-blocking, close-on-exec eventfd.
int ntnt_eventfd(void);

/// A non-blocking listening socket on 0.0.0.0:port with SO_REUSEADDR and SO_REUSEPORT;
/// returns the fd or -errno.
int ntnt_listen(uint16_t port, int backlog);
/// 0 when nothing listens on the port, else -errno of a plain bind (EADDRINUSE: another server,
/// which SO_REUSEPORT would otherwise silently share the port with).
int ntnt_port_free(uint16_t port);

/// accept4 with SOCK_NONBLOCK|SOCK_CLOEXEC; writes the peer's IPv4 address (host order).
int ntnt_accept(int fd, uint32_t *peer_ip);

/// Sets TCP_NODELAY.
void ntnt_set_nodelay(int fd);

/// The errno of the last call.
int ntnt_errno(void);

/// send(MSG_NOSIGNAL).
long ntnt_send(int fd, const void *buf, unsigned long len);

/// Installs `handler` for SIGINT and SIGTERM and ignores SIGPIPE.
void ntnt_install_signal_handlers(void (*handler)(int));

/// Per-thread call depth of compiled code: 1 if a call may enter (depth below `max`), else 0.
int ntnt_depth_enter(long max);

/// Leaves a call entered with ntnt_depth_enter.
void ntnt_depth_leave(void);

/// A random 64-bit number from this thread's generator (seeded once per thread; no syscall).
uint64_t ntnt_random_u64(void);
/// Draw recording (while a loop's query parameters are computed ahead) and replay (while an
/// iteration computes them again): see QueryPrefetch.swift. record_end copies the draws made
/// since record_begin into out and returns their number, or -1 when more than capacity (or 64).
void ntnt_rng_record_begin(void);
int ntnt_rng_record_end(uint64_t *out, int capacity);
void ntnt_rng_replay_begin(const uint64_t *draws, int count);
void ntnt_rng_replay_end(void);
/// The calling thread's innermost QueryPrefetch (an unretained pointer), or NULL.
void *ntnt_prefetch_get(void);
void ntnt_prefetch_set(void *p);

/// Notes that a request with a large body has been handled (any thread, lock-free).
void ntnt_note_large_request(void);

/// If a large request was handled since the last call, gives the allocator's free pages of
/// every arena back to the kernel (malloc_trim) and returns 1; else 0.
int ntnt_release_memory_if_noted(void);

/// Relaxed atomic load and store of a word: hints that other threads read without a lock.
long ntnt_relaxed_load(const long *p);
void ntnt_relaxed_store(long *p, long value);

#endif
