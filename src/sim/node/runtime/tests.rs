//! Scenario tests of the runtime actor: CRI calls sent through a real kernel, answers collected.

use super::*;
use crate::sim::node::test_support::*;

#[test]
fn pull_takes_time_by_size_and_is_cached() {
    let mut h = Harness::new();
    let id = h.call(CriCall::PullImage { image: "nginx".into() });
    h.run_for(1000);
    assert!(h.reply(id).is_none(), "72 MB do not arrive in a second");
    h.run_for(5000);
    let Some(Ok(CriResult::ImagePulled { full, size, .. })) = h.reply(id).map(|r| r.result.clone()) else {
        panic!("pulled: {:?}", h.replies)
    };
    assert_eq!((full.as_str(), size), ("docker.io/library/nginx:latest", 72_000_000));
    let again = h.call(CriCall::PullImage { image: "nginx:latest".into() });
    h.run_for(900);
    assert!(h.reply(again).is_some(), "layers are cached: only the manifest is checked");
    assert!(h.rt.images().iter().any(|i| i.tags.contains(&"docker.io/library/nginx:latest".to_string())));
}

#[test]
fn pulling_a_missing_tag_fails_like_containerd() {
    let mut h = Harness::new();
    let id = h.call(CriCall::PullImage { image: "nginx:nosuchtag".into() });
    h.run_for(2000);
    let Some(Err(e)) = h.reply(id).map(|r| r.result.clone()) else { panic!("an error") };
    assert_eq!(e.code, "NotFound");
    assert!(e.to_string().starts_with(
        "rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:nosuchtag\""
    ));
}

#[test]
fn sandboxes_get_ips_in_order() {
    let mut h = Harness::new();
    let a = h.sandbox("a");
    let b = h.sandbox("b");
    assert_eq!((a.1.as_str(), b.1.as_str()), ("10.244.1.2", "10.244.1.3"));
    let stop = h.call(CriCall::StopPodSandbox { sandbox_id: a.0.clone() });
    h.run_for(10);
    assert!(h.reply(stop).is_some());
    assert_eq!(h.sandbox("c").1, "10.244.1.2", "the freed address is reused");
}

#[test]
fn a_sleeping_container_exits_on_its_own() {
    let mut h = Harness::new();
    h.pull("busybox");
    let (sid, _) = h.sandbox("job");
    let cid = h.create(&sid, config("busybox", &["sleep", "5"], None));
    let started = h.start(&cid);
    h.run_for(4000);
    assert!(h.exits().is_empty());
    h.run_for(2000);
    let exits = h.exits();
    assert_eq!(exits.len(), 1);
    assert_eq!((exits[0].exit_code, exits[0].reason.as_str(), exits[0].finished_at), (0, "Completed", started + 5000));
}

#[test]
fn memory_over_the_limit_is_oom_killed() {
    let mut h = Harness::new();
    h.pull("polinux/stress");
    let (sid, _) = h.sandbox("memory-demo-2");
    let mut cfg = config("polinux/stress", &["stress"], Some(100 << 20));
    cfg.args = ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"].iter().map(|s| s.to_string()).collect();
    let cid = h.create(&sid, cfg);
    h.start(&cid);
    h.run_for(1000);
    let exits = h.exits();
    assert_eq!((exits[0].exit_code, exits[0].reason.as_str()), (137, "OOMKilled"));
}

#[test]
fn stop_honours_sigterm_handlers_and_the_grace_period() {
    let mut h = Harness::new();
    h.pull("nginx");
    h.pull("busybox");
    let (sid, _) = h.sandbox("p");
    let web = h.create(&sid, config("nginx", &[], None));
    let shell = h.create(&sid, config("busybox", &["sh", "-c", "while true; do sleep 1; done"], None));
    h.start(&web);
    h.start(&shell);
    let t0 = h.k.now();
    let stop_web = h.call(CriCall::StopContainer { container_id: web.clone(), timeout_seconds: 30 });
    let stop_shell = h.call(CriCall::StopContainer { container_id: shell.clone(), timeout_seconds: 30 });
    h.run_for(1000);
    let Some(Ok(CriResult::ContainerStopped { exit_code, finished_at, .. })) =
        h.reply(stop_web).map(|r| r.result.clone())
    else {
        panic!("nginx stops quickly")
    };
    assert_eq!(exit_code, 0);
    assert!(finished_at - t0 < 200);
    assert!(h.reply(stop_shell).is_none(), "a shell as PID 1 ignores SIGTERM");
    h.run_for(30_000);
    let Some(Ok(CriResult::ContainerStopped { exit_code, reason, .. })) = h.reply(stop_shell).map(|r| r.result.clone())
    else {
        panic!("killed at the end of the grace period")
    };
    assert_eq!((exit_code, reason.as_str()), (137, "Error"));
}

#[test]
fn power_off_kills_everything_but_keeps_images() {
    let mut h = Harness::new();
    h.pull("nginx");
    let (sid, _) = h.sandbox("p");
    let cid = h.create(&sid, config("nginx", &[], None));
    h.start(&cid);
    h.rt.power_off(h.k.now());
    let c = &h.rt.containers()[0];
    assert_eq!((c.state, c.exit_code, c.reason.as_str()), (ContainerState::Exited, Some(255), "Unknown"));
    assert!(!h.rt.sandboxes()[0].ready);
    let preloaded = crate::sim::node::registry::kind_images::PRELOADED.len();
    assert_eq!(h.rt.images().len(), preloaded + 1, "kind's preloaded images and nginx stay on disk");
}

#[test]
fn create_needs_the_image_and_a_ready_sandbox() {
    let mut h = Harness::new();
    let (sid, _) = h.sandbox("p");
    let id = h.call(CriCall::CreateContainer { sandbox_id: sid, config: Box::new(config("redis", &[], None)) });
    h.run_for(100);
    assert!(matches!(h.reply(id).map(|r| &r.result), Some(Err(e)) if e.message.contains("not found")));
    let id =
        h.call(CriCall::CreateContainer { sandbox_id: "nope".into(), config: Box::new(config("pause", &[], None)) });
    h.run_for(100);
    assert!(matches!(h.reply(id).map(|r| &r.result), Some(Err(e)) if e.code == "NotFound"));
    let id = h.call(CriCall::StartContainer { container_id: "nope".into() });
    h.run_for(100);
    assert!(matches!(h.reply(id).map(|r| &r.result), Some(Err(_))));
}
