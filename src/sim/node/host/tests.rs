use super::fs::{Fs, Op};
use super::*;
use crate::sim::node::behaviour::{Line, Piece, Sigterm, Step};

fn write(path: &str, text: &str, append: bool) -> Op {
    Op::Write { path: path.into(), lines: vec![Line::text(text)], append }
}

fn mount(container: &str, host: &str, readonly: bool) -> Mount {
    Mount { container_path: container.into(), host_path: host.into(), readonly }
}

fn process(steps: Vec<Step>, end: End) -> Behaviour {
    Behaviour { steps, end, sigterm: Sigterm::Ignore, memory: 0, cpu_millis: 0, has_shell: true, notes: vec![] }
}

#[test]
fn writes_land_at_their_time() {
    let mut fs = Fs::default();
    fs.schedule("c1", 5_000, write("/data/f", "hi", false));
    assert_eq!(fs.read("/data/f", 4_999), None, "not before its time");
    assert_eq!(fs.read("/data/f", 5_000).as_deref(), Some("hi\n"));
    fs.schedule("c1", 6_000, write("/data/f", "again", true));
    assert_eq!(fs.read("/data/f", 7_000).as_deref(), Some("hi\nagain\n"));
    fs.settle(5_500);
    assert_eq!(fs.read("/data/f", 5_500).as_deref(), Some("hi\n"), "settling keeps what is due");
    assert_eq!(fs.read("/data/f", 6_000).as_deref(), Some("hi\nagain\n"), "and what is pending");
    assert!(fs.is_dir("/data", 5_000), "a write makes its directories");
    assert_eq!(fs.list("/data", 5_000), vec!["f"]);
}

#[test]
fn a_dead_container_writes_no_more() {
    let mut fs = Fs::default();
    fs.schedule("c1", 1_000, write("/v/a", "1", false));
    fs.schedule("c1", 9_000, write("/v/b", "2", false));
    fs.cancel("c1", 5_000);
    assert_eq!(fs.read("/v/a", 10_000).as_deref(), Some("1\n"));
    assert_eq!(fs.read("/v/b", 10_000), None);
}

#[test]
fn removes_and_touches() {
    let mut fs = Fs::default();
    fs.put("/v/keep", "k");
    fs.schedule("c", 10, Op::Touch("/v/keep".into()));
    fs.schedule("c", 10, Op::Touch("/v/new".into()));
    assert_eq!(fs.read("/v/keep", 10).as_deref(), Some("k"), "touch keeps content");
    assert_eq!(fs.read("/v/new", 10).as_deref(), Some(""));
    fs.schedule("c", 20, Op::Remove("/v".into()));
    assert!(!fs.is_dir("/v", 20) && fs.read("/v/keep", 20).is_none());
    fs.settle(30);
    fs.remove_now("/nothing");
    assert_eq!(fs.list("/", 30), Vec::<String>::new());
}

#[test]
fn loop_writes_repeat_until_the_container_dies() {
    let mut fs = Fs::default();
    let date = Op::Write { path: "/log/app.log".into(), lines: vec![Line(vec![Piece::Counter(0)])], append: true };
    fs.schedule_loop("c", 1_000, 1_000, vec![(0, date)]);
    assert_eq!(fs.read("/log/app.log", 3_500).as_deref(), Some("0\n1\n2\n"));
    assert_eq!(fs.next_change(3_500, &["/log".into()]), Some(4_000));
    fs.settle(2_000);
    fs.cancel("c", 4_500);
    assert_eq!(fs.read("/log/app.log", 100_000).as_deref(), Some("0\n1\n2\n3\n"));
    assert_eq!(fs.next_change(4_500, &["/log".into()]), None);
    fs.settle(100_000);
    assert_eq!(fs.read("/log/app.log", 100_000).as_deref(), Some("0\n1\n2\n3\n"));
}

#[test]
fn files_are_capped_at_their_newest_bytes() {
    let mut fs = Fs::default();
    let line = "x".repeat(1000);
    for i in 0..100 {
        fs.schedule("c", i, write("/big", &line, true));
    }
    let text = fs.read("/big", 100).expect("written");
    assert_eq!(text.len(), fs::MAX_FILE_BYTES);
}

#[test]
fn mounts_map_container_paths_onto_the_node() {
    let mounts = vec![
        mount("/data", "/var/lib/kubelet/pods/u/volumes/kubernetes.io~empty-dir/d", false),
        mount("/data/ro", "/etc", true),
    ];
    assert_eq!(
        host_path(&mounts, "/data/f"),
        Some(("/var/lib/kubelet/pods/u/volumes/kubernetes.io~empty-dir/d/f".into(), false))
    );
    assert_eq!(host_path(&mounts, "/data/ro/hostname"), Some(("/etc/hostname".into(), true)), "the longest mount wins");
    assert_eq!(host_path(&mounts, "/database"), None, "a prefix of a name is not a mount");
    assert_eq!(host_path(&mounts, "/tmp/x"), None);
}

#[test]
fn a_started_container_schedules_its_writes_under_mounts_only() {
    let mut host = Host::new("kind-worker");
    let b = process(
        vec![
            Step::Write { path: "/data/f".into(), lines: vec![Line::text("a")], append: false },
            Step::Sleep(2_000),
            Step::Write { path: "/tmp/own".into(), lines: vec![Line::text("b")], append: false },
            Step::Write { path: "/data/g".into(), lines: vec![Line::text("c")], append: false },
        ],
        End::Exit(0),
    );
    let mounts = vec![mount("/data", "/srv/data", false)];
    host.start("c1", 10_000, &b, &mounts);
    assert_eq!(host.fs.read("/srv/data/f", 10_000).as_deref(), Some("a\n"));
    assert_eq!(host.fs.read("/srv/data/g", 11_999), None);
    assert_eq!(host.fs.read("/srv/data/g", 12_000).as_deref(), Some("c\n"));
    assert_eq!(host.fs.read("/tmp/own", 12_000), None, "outside mounts: the container's own layer");
    assert!(host.procs.contains_key("c1"));
    host.stop("c1", 11_000);
    assert_eq!(host.fs.read("/srv/data/g", 20_000), None, "killed before it wrote");
    host.remove("c1");
    assert!(!host.procs.contains_key("c1"));
}

#[test]
fn nodes_have_their_own_files() {
    let host = Host::new("sandbox-worker");
    let id = host.fs.read("/etc/machine-id", 0).expect("machine-id");
    assert_eq!(id.trim().len(), 32);
    assert!(id.trim().chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(Host::new("sandbox-worker").fs.read("/etc/machine-id", 0), Some(id.clone()), "stable per node");
    assert_ne!(Host::new("sandbox-worker2").fs.read("/etc/machine-id", 0), Some(id));
    assert_eq!(host.fs.read("/etc/hostname", 0).as_deref(), Some("sandbox-worker\n"));
    assert!(host.fs.is_dir("/var/log/pods", 0) && host.fs.is_dir("/var/log/containers", 0));
    assert_eq!(empty_dir("u1", "cache"), "/var/lib/kubelet/pods/u1/volumes/kubernetes.io~empty-dir/cache");
    assert_eq!(projected_dir("u1", true, "tls"), "/var/lib/kubelet/pods/u1/volumes/kubernetes.io~secret/tls");
}
