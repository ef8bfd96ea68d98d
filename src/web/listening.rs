//! Closing the listening socket at the end of a graceful stop without losing a request
//! that a client (a proxy) has already sent.
//!
//! The kernel completes handshakes on its own and queues them until the server
//! accepts; a proxy sends its request the moment the handshake completes. Closing
//! (or `shutdown`) a listening socket resets every connection still in that queue,
//! with its request in it, and a proxy may not repeat a POST it has sent (nginx does
//! not). So the close goes in three steps: new handshakes are stopped first (a socket
//! filter drops the opening SYNs, so no connection can join the queue, while those
//! already under way complete); the server keeps accepting until the queue has stayed
//! empty for a moment; only then is the socket shut, after which a client's SYN is
//! refused and it goes to another instance. A client whose SYN was dropped in between
//! retries it, and is refused then (or gives up on connecting first): late, not lost.
//! `tests/resilience/topology.rs` (the rolling restart behind nginx) holds it to that.

use std::net::TcpListener;
use std::time::{Duration, Instant};

/// How long the accept queue must stay empty before the socket is shut: a handshake
/// answered just before the filter went on needs a round trip to join the queue.
const QUIET: Duration = Duration::from_millis(30);
/// The most the drain waits for the accept queue to empty (the server accepts in
/// microseconds; only a starved accept thread takes longer).
const DRAIN_LIMIT: Duration = Duration::from_secs(2);
const POLL: Duration = Duration::from_millis(2);

/// Stops new connections, lets the server accept those already queued, then shuts the
/// socket. Failures are logged and the close goes on: the worst case is the reset this
/// exists to avoid, never a server that does not stop.
pub async fn close_gracefully(listener: &TcpListener) {
    if let Err(err) = refuse_handshakes(listener) {
        tracing::warn!(error = %err, "cannot filter new connections; queued ones may be reset at close");
    } else {
        drain_accept_queue(listener).await;
    }
    crate::telemetry::listener_closed();
    if let Err(err) = socket2::SockRef::from(listener).shutdown(std::net::Shutdown::Read) {
        tracing::warn!(error = %err, "could not close the listening socket; connections queue until exit");
    }
}

/// Waits until the accept queue has been empty for [`QUIET`], or [`DRAIN_LIMIT`].
async fn drain_accept_queue(listener: &TcpListener) {
    let started = Instant::now();
    let mut empty_since: Option<Instant> = None;
    while started.elapsed() < DRAIN_LIMIT {
        match accept_queue_len(listener) {
            Ok(0) => {
                let since = *empty_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= QUIET {
                    return;
                }
            }
            Ok(_) => empty_since = None,
            Err(err) => {
                tracing::warn!(error = %err, "cannot read the accept queue; waiting the quiet period only");
                tokio::time::sleep(QUIET).await;
                return;
            }
        }
        tokio::time::sleep(POLL).await;
    }
    tracing::warn!(limit_ms = DRAIN_LIMIT.as_millis() as u64, "the accept queue did not drain; closing anyway");
}

/// A classic BPF program on the listening socket that drops every segment with SYN set
/// and ACK clear (a new connection's first segment) and passes everything else, so
/// handshakes already answered still complete. A socket filter on a TCP socket sees
/// the segment from its TCP header: byte 13 holds the flags.
#[cfg(target_os = "linux")]
fn refuse_handshakes(listener: &TcpListener) -> std::io::Result<()> {
    use socket2::SockFilter;
    const SYN: u32 = 0x02;
    const ACK: u32 = 0x10;
    let code = |c: u32| c as u16;
    let program = [
        SockFilter::new(code(libc::BPF_LD | libc::BPF_B | libc::BPF_ABS), 0, 0, 13),
        SockFilter::new(code(libc::BPF_ALU | libc::BPF_AND | libc::BPF_K), 0, 0, SYN | ACK),
        SockFilter::new(code(libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K), 0, 1, SYN),
        // Drop.
        SockFilter::new(code(libc::BPF_RET | libc::BPF_K), 0, 0, 0),
        // Pass the whole segment.
        SockFilter::new(code(libc::BPF_RET | libc::BPF_K), 0, 0, u32::MAX),
    ];
    socket2::SockRef::from(listener).attach_filter(&program)
}

#[cfg(not(target_os = "linux"))]
fn refuse_handshakes(_listener: &TcpListener) -> std::io::Result<()> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "socket filters need Linux"))
}

/// Connections the kernel has completed and the server not yet accepted: for a
/// listening socket, Linux reports the accept queue's length in `tcpi_unacked`.
#[cfg(target_os = "linux")]
fn accept_queue_len(listener: &TcpListener) -> std::io::Result<u32> {
    use std::os::fd::AsRawFd;
    let mut info = std::mem::MaybeUninit::<libc::tcp_info>::zeroed();
    let mut len = libc::socklen_t::try_from(std::mem::size_of::<libc::tcp_info>()).unwrap_or(libc::socklen_t::MAX);
    // SAFETY: getsockopt(2) writes at most `len` bytes into `info`, which is that large
    // and lives across the call; the descriptor is the listener's own.
    let rc = unsafe {
        libc::getsockopt(listener.as_raw_fd(), libc::IPPROTO_TCP, libc::TCP_INFO, info.as_mut_ptr().cast(), &mut len)
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: zero-initialised, then filled by the kernel; every bit pattern is a valid
    // `tcp_info` (plain integers).
    Ok(unsafe { info.assume_init() }.tcpi_unacked)
}

#[cfg(not(target_os = "linux"))]
fn accept_queue_len(_listener: &TcpListener) -> std::io::Result<u32> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "the accept queue is visible on Linux only"))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    use super::*;

    /// A connection queued before the close is accepted afterwards with its request;
    /// a new one is not let in.
    #[tokio::test]
    async fn a_queued_connection_survives_and_a_new_one_is_kept_out() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        let mut queued = TcpStream::connect(address).expect("connect");
        queued.write_all(b"hello").expect("send");
        assert_eq!(accept_queue_len(&listener).expect("tcp_info"), 1);

        refuse_handshakes(&listener).expect("filter");
        let late = TcpStream::connect_timeout(&address, Duration::from_millis(300));
        assert!(late.is_err(), "a new connection got through the filter");

        let (mut accepted, _) = listener.accept().expect("the queued connection is still there");
        let mut request = [0; 5];
        accepted.read_exact(&mut request).expect("its request is intact");
        assert_eq!(&request, b"hello");
        assert_eq!(accept_queue_len(&listener).expect("tcp_info"), 0);
    }
    /// The whole close against a slow acceptor: the connection queued when the close
    /// begins is accepted, request intact, before the socket shuts (a bare shutdown
    /// would reset it); a connection attempted after the close is refused.
    #[tokio::test]
    async fn the_close_waits_for_a_slow_acceptor() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        let mut queued = TcpStream::connect(address).expect("connect");
        queued.write_all(b"POST").expect("send");
        let acceptor = listener.try_clone().expect("clone");
        let accepted = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(150));
            let (mut conn, _) = acceptor.accept().expect("accept");
            let mut request = [0; 4];
            conn.read_exact(&mut request).expect("read");
            conn.write_all(b"done").expect("answer");
            request
        });
        close_gracefully(&listener).await;
        assert_eq!(&accepted.join().expect("acceptor"), b"POST");
        let mut answer = [0; 4];
        queued.read_exact(&mut answer).expect("the queued connection was answered, not reset");
        assert_eq!(&answer, b"done");
        let refused = TcpStream::connect(address).expect_err("the socket is shut");
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    }
}
