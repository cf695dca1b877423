//! The session driven as kubectl drives it (`client-go/tools/portforward/portforward.go`
//! `handleConnection`), frame by frame.

use super::*;
use proptest::prelude::*;

/// kubectl's side: its own zlib streams, and the frames it writes.
#[derive(Default)]
struct Kubectl {
    deflater: Deflater,
    inflater: Inflater,
}

impl Kubectl {
    fn syn(&mut self, stream_id: u32, kind: &str, port: &str, request_id: Option<&str>) -> Vec<u8> {
        let mut h = vec![("streamtype", kind), ("port", port)];
        if let Some(id) = request_id {
            h.push(("requestid", id));
        }
        let headers = self.deflater.deflate(&h);
        frame::write(&Frame::SynStream { stream_id, associated_to: 0, priority: 0, flags: 0, headers })
    }

    /// The frames the server sent, their header blocks inflated to check they read.
    fn read(&mut self, mut bytes: &[u8]) -> Vec<Frame> {
        let mut out = Vec::new();
        while let Some((f, used)) = frame::read(bytes).unwrap() {
            if let Frame::SynReply { headers, .. } = &f {
                assert_eq!(self.inflater.inflate(headers).unwrap(), vec![]);
            }
            out.push(f);
            bytes = &bytes[used..];
        }
        assert!(bytes.is_empty());
        out
    }
}

fn data(stream_id: u32, fin: bool, bytes: &[u8]) -> Vec<u8> {
    frame::write(&Frame::Data { stream_id, flags: if fin { FLAG_FIN } else { 0 }, data: bytes.to_vec() })
}

const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: localhost:18080\r\nAccept: */*\r\n\r\n";

#[test]
fn a_connection_is_forwarded_once_its_request_is_whole_and_answered_on_its_streams() {
    let (mut s, mut k) = (Session::default(), Kubectl::default());
    assert_eq!(s.receive(&k.syn(1, "error", "80", Some("0"))).unwrap(), vec![]);
    assert_eq!(s.receive(&data(1, true, b"")).unwrap(), vec![]);
    assert_eq!(s.receive(&k.syn(3, "data", "80", Some("0"))).unwrap(), vec![]);
    let replies = k.read(&s.take_output());
    assert!(matches!(replies.as_slice(), [Frame::SynReply { stream_id: 1, .. }, Frame::SynReply { stream_id: 3, .. }]));
    // The request in two frames: forwarded when the second completes it.
    assert_eq!(s.receive(&data(3, false, &GET[..20])).unwrap(), vec![]);
    let ready = s.receive(&data(3, false, &GET[20..])).unwrap();
    assert_eq!(ready, vec![Forward { request_id: "0".into(), port: 80, data: GET.to_vec() }]);
    s.answer("0", Outcome::Replied(b"HTTP/1.1 200 OK\r\n\r\nhi".to_vec()));
    assert_eq!(
        k.read(&s.take_output()),
        vec![
            Frame::Data { stream_id: 3, flags: 0, data: b"HTTP/1.1 200 OK\r\n\r\nhi".to_vec() },
            Frame::Data { stream_id: 1, flags: FLAG_FIN, data: vec![] },
            Frame::Data { stream_id: 3, flags: FLAG_FIN, data: vec![] },
        ]
    );
    // kubectl resets the data stream once it ended; nothing more is said.
    let reset = frame::write(&Frame::RstStream { stream_id: 3, status: CANCEL });
    assert_eq!(s.receive(&reset).unwrap(), vec![]);
    assert!(s.take_output().is_empty());
}

#[test]
fn a_failure_goes_on_the_error_stream_and_bytes_in_one_read_make_several_frames() {
    let (mut s, mut k) = (Session::default(), Kubectl::default());
    // Everything in one read, as a WebSocket message may bring it.
    let all = [k.syn(1, "error", "81", Some("7")), k.syn(3, "data", "81", Some("7")), data(3, false, GET)].concat();
    let ready = s.receive(&all).unwrap();
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0].port, 81);
    let _ = s.take_output();
    s.answer("7", Outcome::Failed("error forwarding port 81 to pod web: connection refused".into()));
    let frames = k.read(&s.take_output());
    assert_eq!(
        frames,
        vec![
            Frame::Data {
                stream_id: 1,
                flags: FLAG_FIN,
                data: b"error forwarding port 81 to pod web: connection refused".to_vec()
            },
            Frame::Data { stream_id: 3, flags: FLAG_FIN, data: vec![] },
        ]
    );
    // A second answer for the same request has no streams left to go on.
    s.answer("7", Outcome::Replied(b"late".to_vec()));
    assert!(s.take_output().is_empty());
}

#[test]
fn pairs_are_kept_apart_and_old_clients_pair_by_stream_id() {
    let (mut s, mut k) = (Session::default(), Kubectl::default());
    let opening = [
        k.syn(1, "error", "80", Some("0")),
        k.syn(3, "error", "80", Some("1")),
        k.syn(5, "data", "80", Some("1")),
        k.syn(7, "data", "80", Some("0")),
    ]
    .concat();
    assert_eq!(s.receive(&opening).unwrap(), vec![]);
    let second = s.receive(&data(5, false, b"GET /b HTTP/1.1\r\n\r\n")).unwrap();
    assert_eq!((second[0].request_id.as_str(), second[0].data.as_slice()), ("1", &b"GET /b HTTP/1.1\r\n\r\n"[..]));
    // Bytes that are not HTTP go when the client half-closes.
    assert_eq!(s.receive(&data(7, false, b"ping")).unwrap(), vec![]);
    assert_eq!(s.receive(&data(7, true, b"")).unwrap()[0].data, b"ping");
    // No requestID: error stream N and data stream N+2 are one pair.
    let old = [k.syn(9, "error", "80", None), k.syn(11, "data", "80", None), data(11, true, b"x")].concat();
    assert_eq!(s.receive(&old).unwrap()[0].request_id, "9");
}

#[test]
fn bad_streams_are_reset_and_the_connection_goes_on() {
    let (mut s, mut k) = (Session::default(), Kubectl::default());
    for (id, kind, port) in [(1, "error", ""), (3, "data", "x"), (5, "data", "0"), (7, "", "80"), (9, "stdin", "80")] {
        assert_eq!(s.receive(&k.syn(id, kind, port, Some("0"))).unwrap(), vec![]);
        assert_eq!(k.read(&s.take_output()), vec![Frame::RstStream { stream_id: id, status: CANCEL }], "{kind} {port}");
    }
    // The zlib stream stayed in step: a good pair still works.
    let good = [k.syn(11, "error", "80", Some("1")), k.syn(13, "data", "80", Some("1")), data(13, false, GET)].concat();
    assert_eq!(s.receive(&good).unwrap().len(), 1);
    // A second data stream for the same request is refused on its error stream.
    k.read(&s.take_output());
    s.receive(&k.syn(15, "data", "80", Some("1"))).unwrap();
    let frames = k.read(&s.take_output());
    assert_eq!(
        frames[1],
        Frame::Data {
            stream_id: 11,
            flags: 0,
            data: b"error processing stream for request 1: data stream already assigned".to_vec()
        }
    );
}

#[test]
fn the_kubelets_words_for_a_bad_stream() {
    let h = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Headers>();
    assert_eq!(check_stream(&h(&[("streamtype", "data")])), Err("\"port\" header is required".into()));
    assert_eq!(
        check_stream(&h(&[("port", "http")])),
        Err("unable to parse \"http\" as a port: strconv.ParseUint: parsing \"http\": invalid syntax".into())
    );
    assert_eq!(check_stream(&h(&[("port", "0")])), Err("port \"0\" must be > 0".into()));
    assert_eq!(check_stream(&h(&[("port", "80")])), Err("\"streamType\" header is required".into()));
    assert_eq!(check_stream(&h(&[("port", "80"), ("streamtype", "x")])), Err("invalid stream type \"x\"".into()));
    assert_eq!(check_stream(&h(&[("port", "80"), ("streamtype", "data")])), Ok((StreamType::Data, 80)));
}

#[test]
fn pings_are_echoed_goaway_ends_and_a_reset_drops_an_unforwarded_pair() {
    let (mut s, mut k) = (Session::default(), Kubectl::default());
    let ping = frame::write(&Frame::Ping { id: 1 });
    s.receive(&ping).unwrap();
    assert_eq!(s.take_output(), ping);
    // An even id is an answer to a ping of the server's own: not echoed.
    s.receive(&frame::write(&Frame::Ping { id: 2 })).unwrap();
    assert!(s.take_output().is_empty());
    let window = frame::write(&Frame::WindowUpdate { stream_id: 1, delta: 100 });
    let settings = frame::write(&Frame::Settings { flags: 0, entries: vec![(0, 7, 65536)] });
    s.receive(&[window, settings].concat()).unwrap();
    assert!(s.take_output().is_empty());
    let pair = [k.syn(1, "error", "80", Some("0")), k.syn(3, "data", "80", Some("0")), data(3, false, b"GE")].concat();
    s.receive(&pair).unwrap();
    s.receive(&frame::write(&Frame::RstStream { stream_id: 3, status: CANCEL })).unwrap();
    assert_eq!(s.receive(&data(3, true, b"T / HTTP/1.1\r\n\r\n")).unwrap(), vec![]);
    let _ = s.take_output();
    s.receive(&frame::write(&Frame::GoAway { last_good: 3, status: 0 })).unwrap();
    assert!(s.gone_away());
    // Nothing is read after GOAWAY.
    assert_eq!(s.receive(&k.syn(5, "error", "80", Some("2"))).unwrap(), vec![]);
}

#[test]
fn a_reply_larger_than_one_read_is_split_into_frames() {
    let (mut s, mut k) = (Session::default(), Kubectl::default());
    s.receive(&[k.syn(1, "error", "80", Some("0")), k.syn(3, "data", "80", Some("0")), data(3, true, b"")].concat())
        .unwrap();
    let _ = s.take_output();
    s.answer("0", Outcome::Replied(vec![b'x'; 70_000]));
    let sizes: Vec<usize> = k
        .read(&s.take_output())
        .iter()
        .map(|f| match f {
            Frame::Data { data, .. } => data.len(),
            _ => usize::MAX,
        })
        .collect();
    assert_eq!(sizes, vec![32768, 32768, 4464, 0, 0]);
}

#[test]
fn protocol_errors_end_the_connection() {
    let mut s = Session::default();
    let bad = frame::write(&Frame::SynStream {
        stream_id: 1,
        associated_to: 0,
        priority: 0,
        flags: 0,
        headers: b"junk".to_vec(),
    });
    assert!(matches!(s.receive(&bad), Err(SessionError::Headers(_))));
    let mut s = Session::default();
    assert!(matches!(s.receive(&[0x80, 3, 0, 5, 0, 0, 0, 0]), Err(SessionError::Frame(FrameError::UnknownType(5)))));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Any bytes after a good opening: an error or frames, never a panic.
    #[test]
    fn any_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..200), split in 0usize..200) {
        let (mut s, mut k) = (Session::default(), Kubectl::default());
        let _ = s.receive(&[k.syn(1, "error", "80", Some("0")), k.syn(3, "data", "80", Some("0"))].concat());
        let split = split.min(tail.len());
        let _ = s.receive(&tail[..split]).and_then(|_| s.receive(&tail[split..]));
        s.answer("0", Outcome::Failed("x".into()));
        let _ = s.take_output();
    }
}
