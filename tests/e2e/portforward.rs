//! `kubectl port-forward` in the browser's terminal: kubectl says where it listens and that the
//! terminal goes on, `curl localhost:8080` typed next gets nginx's welcome page through the forward,
//! and its hops are drawn: the apiserver's stream to the kubelet, the runtime's loopback packet into
//! the pod. Ctrl+C then stops the forward.

use std::time::Duration;

use super::diagnose;
use super::scenarios::{SETTLE, click, count, poll, run, shot, start, terminal_text};

/// Whether a message matching `selector` (on `[data-testid=message]`) is drawn now.
fn drawn(site: &super::Site, selector: &str) -> bool {
    count(site, &format!("[data-testid=message]{selector}")) > 0
}

#[test]
fn curl_through_a_port_forward_reaches_nginx_hop_by_hop() {
    let Some(site) = start("curl_through_a_port_forward_reaches_nginx_hop_by_hop") else {
        return;
    };
    run(&site, "kubectl run web --image=nginx --port=80");
    click(&site, "speed-max");
    let running = poll(SETTLE, || count(&site, "[data-testid=pod][data-name=web][data-status=Running]") == 1);
    assert!(running, "web never ran\n{}", diagnose(&site));
    // Paused, the forward's messages are drawn one step at a time.
    click(&site, "pause");
    run(&site, "kubectl port-forward pod/web 8080:80");
    let listening = poll(Duration::from_secs(20), || {
        let t = terminal_text(&site);
        t.contains("Forwarding from 127.0.0.1:8080 -> 80\nForwarding from [::1]:8080 -> 80")
            && t.contains("Ctrl+C stops")
    });
    assert!(listening, "port-forward did not listen:\n{}", terminal_text(&site));
    run(&site, "curl localhost:8080");
    let answered = poll(Duration::from_secs(20), || {
        let t = terminal_text(&site);
        t.contains("Handling connection for 8080") && t.contains("Welcome to nginx!")
    });
    assert!(answered, "curl got no page:\n{}\n{}", terminal_text(&site), diagnose(&site));
    let (mut stream, mut packet) = (false, false);
    for _ in 0..600 {
        stream |= drawn(&site, "[data-kind=stream][data-to^=\"kubelet/\"]");
        packet |= drawn(&site, "[data-kind=packet][data-from^=\"container-runtime/\"]");
        if packet {
            break;
        }
        click(&site, "step");
    }
    shot(&site, "portforward-diagram");
    assert!(stream, "no stream to a kubelet was drawn\n{}", diagnose(&site));
    assert!(packet, "no packet from the runtime into the pod was drawn\n{}", diagnose(&site));

    // Ctrl+C stops the forward: the next curl finds nothing listening.
    let input = site.session.find("[data-testid=\"terminal-input\"]").expect("finding works").expect("the input");
    site.session.send_keys(&input, "\u{E009}c\u{E009}").expect("Ctrl+C");
    run(&site, "curl localhost:8080");
    let refused = poll(Duration::from_secs(20), || {
        terminal_text(&site)
            .contains("curl: (7) Failed to connect to localhost port 8080 after 0 ms: Couldn't connect to server")
    });
    shot(&site, "portforward-stopped");
    assert!(refused, "the forward was not stopped:\n{}", terminal_text(&site));
}
