#define _GNU_SOURCE
#include "CNtntSys.h"
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/random.h>
#include <arpa/inet.h>

int ntnt_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int ntnt_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.u64 = data;
    int cop = op == 0 ? EPOLL_CTL_ADD : (op == 1 ? EPOLL_CTL_MOD : EPOLL_CTL_DEL);
    return epoll_ctl(epfd, cop, fd, &ev);
}

int ntnt_epoll_wait(int epfd, uint64_t *datas, uint32_t *flags, int max, int timeout_ms) {
    struct epoll_event events[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, events, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        datas[i] = events[i].data.u64;
        flags[i] = events[i].events;
    }
    return n;
}

int ntnt_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int ntnt_listen(uint16_t port, int backlog) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, backlog) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

int ntnt_port_free(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  /* TIME_WAIT is no server */
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    int r = bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 ? -errno : 0;
    close(fd);
    return r;
}

int ntnt_accept(int fd, uint32_t *peer_ip) {
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int c = accept4(fd, (struct sockaddr *)&addr, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c >= 0 && peer_ip) *peer_ip = addr.sin_family == AF_INET ? ntohl(addr.sin_addr.s_addr) : 0;
    return c;
}

void ntnt_set_nodelay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int ntnt_errno(void) { return errno; }

long ntnt_send(int fd, const void *buf, unsigned long len) { return send(fd, buf, len, MSG_NOSIGNAL); }

void ntnt_install_signal_handlers(void (*handler)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    // A parent may have started us with these blocked (they are inherited): unblock them, in
    // this thread and so in every thread it starts afterwards.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static __thread long ntnt_depth_counter;

int ntnt_depth_enter(long max) {
    if (ntnt_depth_counter >= max) return 0;
    ntnt_depth_counter++;
    return 1;
}

void ntnt_depth_leave(void) { ntnt_depth_counter--; }

// A per-thread random generator (xoshiro256** seeded once per thread from getrandom): request
// ids and random_int need no syscall per call. Not for secrets.
static __thread uint64_t ntnt_rng_state[4];
static __thread int ntnt_rng_seeded;

static inline uint64_t ntnt_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Recording and replaying draws, for query prefetching (QueryPrefetch.swift): the parameters
// of a loop's queries are computed ahead with the draws recorded, and each iteration then sees
// the same draws again, so the parameters it computes are the ones that were sent.
enum { NTNT_RNG_LOG = 64 };
static __thread int ntnt_rng_mode;  /* 0 draw, 1 draw and record, 2 replay then draw */
static __thread uint64_t ntnt_rng_log[NTNT_RNG_LOG];
static __thread int ntnt_rng_len, ntnt_rng_pos;

void ntnt_rng_record_begin(void) { ntnt_rng_mode = 1; ntnt_rng_len = 0; }

int ntnt_rng_record_end(uint64_t *out, int capacity) {
    ntnt_rng_mode = 0;
    if (ntnt_rng_len > NTNT_RNG_LOG || ntnt_rng_len > capacity) return -1;
    memcpy(out, ntnt_rng_log, (size_t)ntnt_rng_len * sizeof(uint64_t));
    return ntnt_rng_len;
}

void ntnt_rng_replay_begin(const uint64_t *draws, int count) {
    if (count <= 0 || count > NTNT_RNG_LOG) { ntnt_rng_mode = 0; return; }
    memcpy(ntnt_rng_log, draws, (size_t)count * sizeof(uint64_t));
    ntnt_rng_len = count;
    ntnt_rng_pos = 0;
    ntnt_rng_mode = 2;
}

void ntnt_rng_replay_end(void) { if (ntnt_rng_mode == 2) ntnt_rng_mode = 0; }

static __thread void *ntnt_prefetch_current;
void *ntnt_prefetch_get(void) { return ntnt_prefetch_current; }
void ntnt_prefetch_set(void *p) { ntnt_prefetch_current = p; }

uint64_t ntnt_random_u64(void) {
    if (__builtin_expect(ntnt_rng_mode == 2, 0)) {
        if (ntnt_rng_pos < ntnt_rng_len) return ntnt_rng_log[ntnt_rng_pos++];
        ntnt_rng_mode = 0;
    }
    uint64_t *s = ntnt_rng_state;
    if (!ntnt_rng_seeded) {
        if (getrandom(s, sizeof ntnt_rng_state, 0) != (ssize_t)sizeof ntnt_rng_state) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            s[0] = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32);
            s[1] = (uint64_t)(uintptr_t)&ts;
            s[2] = 0x9E3779B97F4A7C15ull;
            s[3] = (uint64_t)pthread_self();
        }
        if ((s[0] | s[1] | s[2] | s[3]) == 0) s[0] = 1;
        ntnt_rng_seeded = 1;
    }
    uint64_t result = ntnt_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ntnt_rotl(s[3], 45);
    if (__builtin_expect(ntnt_rng_mode == 1, 0)) {
        if (ntnt_rng_len < NTNT_RNG_LOG) ntnt_rng_log[ntnt_rng_len] = result;
        ntnt_rng_len++;
    }
    return result;
}

// Large request bodies (JSON documents of hundreds of KiB) leave their parse trees' memory in
// the arenas of the threads that handled them; glibc keeps freed pages inside an arena. The
// event loop's sweep gives them back a moment after such requests, never on the request path.
static int ntnt_large_request_noted;

void ntnt_note_large_request(void) {
    __atomic_store_n(&ntnt_large_request_noted, 1, __ATOMIC_RELAXED);
}

int ntnt_release_memory_if_noted(void) {
    if (!__atomic_exchange_n(&ntnt_large_request_noted, 0, __ATOMIC_RELAXED)) return 0;
    malloc_trim(0);
    return 1;
}

long ntnt_relaxed_load(const long *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
void ntnt_relaxed_store(long *p, long value) { __atomic_store_n(p, value, __ATOMIC_RELAXED); }
