/*
 * gate.c - the hub's connection gate: the connections before and around
 * libmicrohttpd (server.c has the requests inside it).
 *
 * libmicrohttpd 0.9.75 cannot tell clients apart before their headers
 * arrive, has only an idle timeout (a header line every 10 s holds a
 * connection for ever), and answers what it refuses in the head in HTML
 * of its own, or not at all. So the hub accepts connections itself (one
 * thread, epoll) and
 *   - counts connections per client address and in all, refusing those
 *     over a limit at once with a JSON 429 or 503;
 *   - holds each new connection until its first request head is complete,
 *     reading it with MSG_PEEK (so libmicrohttpd later reads it as if the
 *     gate had not been there), checks it (http_head.c) and answers what
 *     it refuses in JSON; a head not complete within --header-timeout is
 *     answered 408; when too many connections wait, the oldest goes;
 *   - hands the connection to libmicrohttpd (MHD_add_connection);
 *   - every quarter second, closes connections inside libmicrohttpd whose
 *     next request head is not complete in time (keep-alive slowloris),
 *     from the request line on (server.c reports it from
 *     MHD_OPTION_URI_LOG_CALLBACK).
 * docs/hub.md ("Limits") lists every limit, what a client sees, and the
 * cases libmicrohttpd still answers itself.
 *
 * Per connection state lives in a table indexed by socket, under one
 * mutex; libmicrohttpd's workers report on their connections by socket
 * (gate.h), and the CLOSED notification, which libmicrohttpd sends before
 * it closes the socket, frees the entry, so the gate never touches a
 * socket number already reused by another connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "hub/gate.h"

/* The first request's head: request target and whole block (libmicrohttpd
 * keeps its own limit, 32 KiB, above these). */
#define MAX_TARGET 8192
#define MAX_HEAD 16384
/* Connections waiting for their first head, from one address. */
#define PENDING_PER_ADDRESS 8
/* A refused connection's last bytes are read and dropped for this long
 * after the answer, so that closing it does not reset the answer away. */
#define LINGER_MS 2000
#define SWEEP_MS 250
/* Refused connections lingering at once, at most. */
#define MAX_LINGER 256

enum slot_state { S_FREE = 0, S_GATE, S_LINGER, S_MHD };

/* One accepted connection, by socket number. state, keyed and the
 * gate's fields are under wbi_hub_gate.lock; the atomics are written by the
 * libmicrohttpd worker that serves the connection and read by the sweep. */
typedef struct slot {
    enum slot_state state;
    bool keyed;   /* its latest request carried an Authorization header */
    bool counted; /* in conns_by_addr (a connection refused at once is not) */
    wbi_hub_addr addr;
    struct sockaddr_storage sa;
    socklen_t salen;
    int64_t gate_since;         /* ms: accepted (gate), answered (linger) */
    _Atomic int64_t wait_since; /* ms: handed over, or the last answer completed */
    _Atomic int64_t req_since;  /* ms: a request line arrived; 0 between requests */
    atomic_int in_req;          /* the head is complete, the request is being answered */
    atomic_int served;          /* a request was answered on it */
} slot;

struct wbi_hub_gate {
    bool tls;
    wbi_hub_metrics *metrics;
    struct MHD_Daemon *d;
    int lfd, ep;
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    slot *slots;
    size_t nslots;
    wbi_hub_addrcount conns_by_addr, pending_by_addr;
    /* limits in force */
    unsigned max_conn, per_addr, max_pending, anon_max, header_ms, idle_ms;
    /* counts (under lock; read without it for a quick refusal) */
    atomic_uint nconn, nkeyed, npending;
    atomic_int stop;
    unsigned nlinger; /* under lock */
    bool accept_paused;
    int64_t accept_resume;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void addr_of(const struct sockaddr *sa, wbi_hub_addr *a)
{
    memset(a, 0, sizeof *a);
    if (sa->sa_family == AF_INET) {
        a->b[10] = a->b[11] = 0xff;
        memcpy(a->b + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        memcpy(a->b, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    }
}

/* {"error":{"code","message"}} as text (the caller frees it). */
char *wbi_hub_error_json(const char *code, const char *msg)
{
    json_t *o = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg);
    char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return t;
}

static const char *reason(unsigned status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 408:
        return "Request Timeout";
    case 411:
        return "Length Required";
    case 414:
        return "URI Too Long";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Service Unavailable";
    }
}

/* Reads and drops what the client sent so far (up to 64 KiB): closing a
 * socket with unread bytes resets it, and the client may lose the answer. */
static void drain(int fd)
{
    char buf[8192];
    for (int i = 0; i < 8; i++)
        if (recv(fd, buf, sizeof buf, MSG_DONTWAIT) <= 0) break;
}

/* An answer written by the gate itself (before libmicrohttpd has the
 * connection), always with "Connection: close". */
static void raw_reply(int fd, unsigned status, const char *code, const char *msg, unsigned retry)
{
    char *body = wbi_hub_error_json(code, msg);
    char head[768], ra[40] = "";
    if (retry) snprintf(ra, sizeof ra, "Retry-After: %u\r\n", retry);
    int hn = snprintf(head, sizeof head,
                      "HTTP/1.1 %u %s\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\nCache-Control: no-store\r\n"
                      "X-Content-Type-Options: nosniff\r\nContent-Security-Policy: "
                      "default-src 'none'; frame-ancestors 'none'\r\nReferrer-Policy: "
                      "no-referrer\r\nX-Frame-Options: DENY\r\n%s\r\n",
                      status, reason(status), body ? strlen(body) : 0, ra);
    drain(fd);
    struct iovec iov[2] = {{head, (size_t)hn}, {body, body ? strlen(body) : 0}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
    (void)!sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    free(body);
    shutdown(fd, SHUT_WR);
}

/* Forgets a connection (under lock). */
static void slot_release(wbi_hub_gate *g, slot *s)
{
    switch (s->state) {
    case S_FREE:
        return;
    case S_GATE:
        wbi_hub_addrcount_give(&g->pending_by_addr, &s->addr);
        atomic_fetch_sub(&g->npending, 1);
        break;
    case S_MHD:
        atomic_fetch_sub(&g->nconn, 1);
        if (s->keyed) atomic_fetch_sub(&g->nkeyed, 1);
        break;
    case S_LINGER:
        g->nlinger--;
        break;
    }
    if (s->counted) wbi_hub_addrcount_give(&g->conns_by_addr, &s->addr);
    s->counted = false;
    s->state = S_FREE;
    s->keyed = false;
}

static void gate_close(wbi_hub_gate *g, int fd)
{
    epoll_ctl(g->ep, EPOLL_CTL_DEL, fd, NULL);
    pthread_mutex_lock(&g->lock);
    slot_release(g, &g->slots[fd]);
    pthread_mutex_unlock(&g->lock);
    close(fd);
}

/* Answers a connection in the gate and lets it linger a moment. */
static void gate_refuse(wbi_hub_gate *g, int fd, unsigned status, const char *code, const char *msg,
                        unsigned retry)
{
    raw_reply(fd, status, code, msg, retry);
    wbi_hub_metrics_refused(g->metrics, code);
    pthread_mutex_lock(&g->lock);
    slot *s = &g->slots[fd];
    if (s->state == S_GATE) {
        wbi_hub_addrcount_give(&g->pending_by_addr, &s->addr);
        atomic_fetch_sub(&g->npending, 1);
    }
    s->state = S_LINGER;
    g->nlinger++;
    s->gate_since = now_ms();
    pthread_mutex_unlock(&g->lock);
}

/* A connection refused as it is accepted: answered, and left to linger
 * while few do (each holds a descriptor for LINGER_MS), else closed. */
static void refuse_new(wbi_hub_gate *g, int fd, unsigned status, const char *code, const char *msg)
{
    raw_reply(fd, status, code, msg, 5);
    wbi_hub_metrics_refused(g->metrics, code);
    pthread_mutex_lock(&g->lock);
    bool linger = (size_t)fd < g->nslots && g->nlinger < MAX_LINGER;
    if (linger) {
        slot *s = &g->slots[fd];
        slot_release(g, s);
        s->state = S_LINGER;
        s->counted = false;
        s->gate_since = now_ms();
        g->nlinger++;
    }
    pthread_mutex_unlock(&g->lock);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = fd};
    if (!linger || epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        if (linger) {
            pthread_mutex_lock(&g->lock);
            slot_release(g, &g->slots[fd]);
            pthread_mutex_unlock(&g->lock);
        }
        close(fd);
    }
}

static void handover(wbi_hub_gate *g, int fd)
{
    epoll_ctl(g->ep, EPOLL_CTL_DEL, fd, NULL);
    pthread_mutex_lock(&g->lock);
    slot *s = &g->slots[fd];
    wbi_hub_addrcount_give(&g->pending_by_addr, &s->addr);
    atomic_fetch_sub(&g->npending, 1);
    s->state = S_MHD;
    s->keyed = false;
    atomic_fetch_add(&g->nconn, 1);
    atomic_store(&s->wait_since, now_ms());
    atomic_store(&s->req_since, 0);
    atomic_store(&s->in_req, 0);
    atomic_store(&s->served, 0);
    struct sockaddr_storage sa = s->sa;
    socklen_t salen = s->salen;
    pthread_mutex_unlock(&g->lock);
    if (MHD_add_connection(g->d, fd, (struct sockaddr *)&sa, salen) != MHD_YES) {
        /* libmicrohttpd closed the socket; nothing was started for it. */
        pthread_mutex_lock(&g->lock);
        if (s->state == S_MHD) slot_release(g, s);
        pthread_mutex_unlock(&g->lock);
    }
}

/* Looks at what a connection in the gate sent so far. */
static void gate_check(wbi_hub_gate *g, int fd)
{
    static char buf[MAX_HEAD + 1];
    ssize_t n = recv(fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0) {
        gate_close(g, fd);
        return;
    }
    wbi_hub_http_head h;
    wbi_problem prob;
    int rc = wbi_hub_http_head_check(buf, (size_t)n, MAX_HEAD, MAX_TARGET, &h, &prob);
    if (rc > 0) return;
    if (rc < 0) {
        gate_refuse(g, fd, prob.status, prob.code, prob.msg, 0);
        return;
    }
    handover(g, fd);
}

/* The oldest connection waiting in the gate goes, to make room. */
static void evict_oldest(wbi_hub_gate *g)
{
    int victim = -1;
    int64_t oldest = INT64_MAX;
    pthread_mutex_lock(&g->lock);
    for (size_t i = 0; i < g->nslots; i++)
        if (g->slots[i].state == S_GATE && g->slots[i].gate_since < oldest) {
            oldest = g->slots[i].gate_since;
            victim = (int)i;
        }
    pthread_mutex_unlock(&g->lock);
    if (victim >= 0)
        gate_refuse(g, victim, 408, "request_timeout",
                    "the request head did not arrive in time (the hub was busy with others)", 0);
}

static void gate_accept(wbi_hub_gate *g)
{
    for (;;) {
        struct sockaddr_storage sa;
        socklen_t salen = sizeof sa;
        int fd = accept4(g->lfd, (struct sockaddr *)&sa, &salen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* Out of descriptors: stop looking at the listener a while
                 * instead of waking for it in a loop. */
                epoll_ctl(g->ep, EPOLL_CTL_DEL, g->lfd, NULL);
                g->accept_paused = true;
                g->accept_resume = now_ms() + 100;
            }
            return;
        }
        wbi_hub_addr a;
        addr_of((struct sockaddr *)&sa, &a);
        if ((size_t)fd >= g->nslots ||
            atomic_load(&g->nconn) + atomic_load(&g->npending) >= g->max_conn) {
            refuse_new(g, fd, 503, "busy",
                       "the hub has no room for another connection; retry later");
            continue;
        }
        pthread_mutex_lock(&g->lock);
        slot *s = &g->slots[fd];
        /* A socket number libmicrohttpd closed without telling (it cannot
         * have, but a stale slot must not block its number for ever). */
        slot_release(g, s);
        bool ok = wbi_hub_addrcount_take(&g->conns_by_addr, &a, g->per_addr);
        bool pend = ok && (g->tls || wbi_hub_addrcount_take(&g->pending_by_addr, &a,
                                                            PENDING_PER_ADDRESS < g->per_addr
                                                                ? PENDING_PER_ADDRESS
                                                                : g->per_addr));
        if (ok && !pend) wbi_hub_addrcount_give(&g->conns_by_addr, &a);
        if (pend) {
            s->state = S_GATE;
            s->counted = true;
            s->addr = a;
            s->sa = sa;
            s->salen = salen;
            s->gate_since = now_ms();
            s->keyed = false;
            if (g->tls) wbi_hub_addrcount_take(&g->pending_by_addr, &a, UINT32_MAX);
            atomic_fetch_add(&g->npending, 1);
        }
        pthread_mutex_unlock(&g->lock);
        if (!pend) {
            refuse_new(g, fd, 429, "too_many_connections",
                       ok ? "too many connections from your address are still sending their "
                            "request; retry later"
                          : "too many connections from your address; close some and retry");
            continue;
        }
        if (g->tls) {
            /* The head is encrypted: the gate cannot read it. The deadline
             * for it is kept by the sweep instead. */
            handover(g, fd);
            continue;
        }
        if (atomic_load(&g->npending) > g->max_pending) evict_oldest(g);
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = fd};
        if (epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            gate_close(g, fd);
            continue;
        }
        gate_check(g, fd);
    }
}

/* Deadlines: heads in the gate, lingering refusals, and heads inside
 * libmicrohttpd (the next request on a kept-alive connection, and with
 * TLS every one). */
static void sweep(wbi_hub_gate *g)
{
    int64_t now = now_ms();
    int expired[64];
    size_t nexp = 0;
    pthread_mutex_lock(&g->lock);
    for (size_t i = 0; i < g->nslots; i++) {
        slot *s = &g->slots[i];
        if (s->state == S_GATE && now - s->gate_since > g->header_ms && nexp < 64) {
            expired[nexp++] = (int)i;
        } else if (s->state == S_LINGER && now - s->gate_since > LINGER_MS) {
            epoll_ctl(g->ep, EPOLL_CTL_DEL, (int)i, NULL);
            slot_release(g, s);
            close((int)i);
        } else if (s->state == S_MHD && !atomic_load(&s->in_req)) {
            int64_t req = atomic_load(&s->req_since), wait = atomic_load(&s->wait_since);
            /* Without TLS the gate saw the first head complete: only the
             * heads after it are timed here. */
            bool late = (req && now - req > g->header_ms) ||
                        (!req && g->tls && !atomic_load(&s->served) && now - wait > g->header_ms) ||
                        (!req && now - wait > g->idle_ms + g->header_ms);
            /* libmicrohttpd sees the end of the stream and closes it (and
             * tells on_connection); the number stays ours until then. */
            if (late) {
                if (req && !g->tls)
                    raw_reply((int)i, 408, "request_timeout",
                              "the request head did not arrive in time", 0);
                shutdown((int)i, SHUT_RDWR);
                atomic_store(&s->in_req, 1); /* once */
            }
        }
    }
    pthread_mutex_unlock(&g->lock);
    for (size_t k = 0; k < nexp; k++)
        gate_refuse(g, expired[k], 408, "request_timeout",
                    "the request head did not arrive in time", 0);
    if (g->accept_paused && now >= g->accept_resume) {
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = g->lfd};
        if (epoll_ctl(g->ep, EPOLL_CTL_ADD, g->lfd, &ev) == 0) g->accept_paused = false;
    }
}

static void *gate_main(void *arg)
{
    wbi_hub_gate *g = arg;
    struct epoll_event evs[64];
    int64_t next_sweep = now_ms() + SWEEP_MS;
    while (!atomic_load(&g->stop)) {
        int wait = (int)(next_sweep - now_ms());
        int n = epoll_wait(g->ep, evs, 64, wait < 0 ? 0 : wait);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == g->lfd) {
                gate_accept(g);
                continue;
            }
            pthread_mutex_lock(&g->lock);
            enum slot_state state = g->slots[fd].state;
            pthread_mutex_unlock(&g->lock);
            if (state == S_GATE) {
                gate_check(g, fd);
            } else if (state == S_LINGER) {
                /* Edge-triggered: read what is there (bounded; the rest
                 * waits for the next edge or the linger's end). */
                char buf[8192];
                for (int k = 0; k < 64; k++) {
                    ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
                    if (r > 0) continue;
                    if (r == 0 || (errno != EAGAIN && errno != EINTR)) gate_close(g, fd);
                    break;
                }
            }
        }
        if (now_ms() >= next_sweep) {
            sweep(g);
            next_sweep = now_ms() + SWEEP_MS;
        }
    }
    return NULL;
}

static int open_listener(const struct sockaddr *addr, socklen_t len)
{
    bool v6 = addr->sa_family == AF_INET6;
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (v6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, addr, len) != 0 || listen(fd, 511) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* As many descriptors as the process may have. */
static size_t fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
    if (rl.rlim_cur < rl.rlim_max && rl.rlim_max != RLIM_INFINITY) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 65536) return 65536;
    return (size_t)rl.rlim_cur;
}

static void gate_limits(wbi_hub_gate *g, const wbi_hub_gate_opts *o)
{
    g->nslots = fd_limit();
    unsigned room = g->nslots > 256 ? (unsigned)g->nslots - 128 : (unsigned)g->nslots / 2;
    g->max_conn = o->max_connections ? o->max_connections : 1000;
    if (g->max_conn > room) g->max_conn = room;
    g->per_addr = o->max_per_address ? o->max_per_address : 64;
    g->max_pending = g->max_conn / 4 ? g->max_conn / 4 : 1;
    /* Connections without a key leave an eighth, and the waiting room,
     * to keyed clients. */
    unsigned reserve = g->max_conn / 8 + g->max_pending;
    g->anon_max = g->max_conn > reserve ? g->max_conn - reserve : 1;
    g->header_ms = (o->header_timeout ? o->header_timeout : 10) * 1000;
    g->idle_ms = (o->idle_timeout ? o->idle_timeout : 30) * 1000;
    g->tls = o->tls;
    g->metrics = o->metrics;
}

int wbi_hub_gate_open(wbi_hub_gate **out, const struct sockaddr *addr, socklen_t len,
                      const wbi_hub_gate_opts *o, const char *name, wb_error *err)
{
    *out = NULL;
    wbi_hub_gate *g = calloc(1, sizeof *g);
    if (g == NULL) return wb_error_set(err, WB_ENOMEM, "out of memory");
    g->lfd = g->ep = -1;
    gate_limits(g, o);
    pthread_mutex_init(&g->lock, NULL);
    g->slots = calloc(g->nslots, sizeof *g->slots);
    int rc = 0;
    if (g->slots == NULL || wbi_hub_addrcount_init(&g->conns_by_addr) != 0 ||
        wbi_hub_addrcount_init(&g->pending_by_addr) != 0)
        rc = wb_error_set(err, WB_ENOMEM, "out of memory");
    if (rc == 0) {
        g->lfd = open_listener(addr, len);
        g->ep = epoll_create1(EPOLL_CLOEXEC);
        if (g->lfd < 0 || g->ep < 0)
            rc = wb_error_set(err, WB_EIO, "cannot listen on %s (%s)", name, strerror(errno));
    }
    if (rc) {
        wbi_hub_gate_free(g);
        return rc;
    }
    *out = g;
    return 0;
}

unsigned wbi_hub_gate_max_connections(const wbi_hub_gate *g)
{
    return g->max_conn;
}

int wbi_hub_gate_start(wbi_hub_gate *g, struct MHD_Daemon *d, wb_error *err)
{
    g->d = d;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = g->lfd};
    if (epoll_ctl(g->ep, EPOLL_CTL_ADD, g->lfd, &ev) != 0)
        return wb_error_set(err, WB_EIO, "epoll: %s", strerror(errno));
    if (pthread_create(&g->thread, NULL, gate_main, g) != 0)
        return wb_error_set(err, WB_ENOMEM, "cannot start the connection gate");
    g->started = true;
    return 0;
}

void wbi_hub_gate_stop(wbi_hub_gate *g)
{
    if (g == NULL || !g->started) return;
    atomic_store(&g->stop, 1);
    pthread_join(g->thread, NULL);
    g->started = false;
    close(g->lfd);
    g->lfd = -1;
    pthread_mutex_lock(&g->lock);
    for (size_t i = 0; i < g->nslots; i++)
        if (g->slots[i].state == S_GATE || g->slots[i].state == S_LINGER) {
            slot_release(g, &g->slots[i]);
            close((int)i);
        }
    pthread_mutex_unlock(&g->lock);
}

void wbi_hub_gate_free(wbi_hub_gate *g)
{
    if (g == NULL) return;
    wbi_hub_gate_stop(g);
    if (g->lfd >= 0) close(g->lfd);
    if (g->ep >= 0) close(g->ep);
    wbi_hub_addrcount_free(&g->conns_by_addr);
    wbi_hub_addrcount_free(&g->pending_by_addr);
    pthread_mutex_destroy(&g->lock);
    free(g->slots);
    free(g);
}

static slot *slot_at(wbi_hub_gate *g, int fd)
{
    return fd >= 0 && (size_t)fd < g->nslots ? &g->slots[fd] : NULL;
}

void wbi_hub_gate_request_line(wbi_hub_gate *g, int fd)
{
    slot *s = slot_at(g, fd);
    if (s) atomic_store(&s->req_since, now_ms());
}

bool wbi_hub_gate_request_head(wbi_hub_gate *g, int fd, bool keyed)
{
    slot *s = slot_at(g, fd);
    if (s == NULL) return true;
    atomic_store(&s->in_req, 1);
    if (s->keyed != keyed) {
        pthread_mutex_lock(&g->lock);
        if (s->state == S_MHD) {
            s->keyed = keyed;
            if (keyed)
                atomic_fetch_add(&g->nkeyed, 1);
            else
                atomic_fetch_sub(&g->nkeyed, 1);
        }
        pthread_mutex_unlock(&g->lock);
    }
    return keyed || atomic_load(&g->nconn) - atomic_load(&g->nkeyed) <= g->anon_max;
}

void wbi_hub_gate_request_done(wbi_hub_gate *g, int fd)
{
    slot *s = slot_at(g, fd);
    if (s == NULL) return;
    atomic_store(&s->in_req, 0);
    atomic_store(&s->req_since, 0);
    atomic_store(&s->served, 1);
    atomic_store(&s->wait_since, now_ms());
}

void wbi_hub_gate_closed(wbi_hub_gate *g, int fd)
{
    slot *s = slot_at(g, fd);
    if (s == NULL) return;
    pthread_mutex_lock(&g->lock);
    if (s->state == S_MHD) slot_release(g, s);
    pthread_mutex_unlock(&g->lock);
}
