//! The data plane on the diagram: `kubectl exec client -- wget -qO- web` typed in the terminal sends
//! its packets as messages, drawn in their own colour from pod to kube-proxy to kindnet to pod; a
//! packet leaving kube-proxy opens with the node's rules (`iptables-save`) and the rules it matched
//! highlighted, and so does kube-proxy itself.

use std::time::Duration;

use super::diagnose;
use super::scenarios::{SETTLE, click, count, poll, run, shot, start, terminal_text};

/// A packet dot on the diagram leaving a kube-proxy, as (message id, from, to), if one is drawn.
fn packet_from_proxy(site: &super::Site) -> Option<(String, String, String)> {
    let js = "const d = document.querySelector('[data-testid=message][data-kind=packet][data-from^=\"kube-proxy/\"]'); \
              return d ? [d.dataset.id, d.dataset.from, d.dataset.to] : null;";
    let v = site.session.execute(js, vec![]).expect("the script runs");
    let field = |i: usize| v.get(i).and_then(|x| x.as_str()).map(String::from);
    Some((field(0)?, field(1)?, field(2)?))
}

fn inspector(site: &super::Site) -> String {
    let el =
        site.session.find("[data-testid=inspector]").expect("finding works").expect("the inspector is on the page");
    site.session.text(&el).expect("the inspector has text")
}

#[test]
fn a_wget_through_a_service_is_drawn_hop_by_hop() {
    let Some(site) = start("a_wget_through_a_service_is_drawn_hop_by_hop") else {
        return;
    };
    run(&site, "kubectl create deployment web --image=nginx");
    run(&site, "kubectl expose deployment web --port=80");
    run(&site, "kubectl run client --image=busybox:1.37 -- sleep infinity");
    click(&site, "speed-max");
    let running = poll(SETTLE, || {
        count(&site, "[data-testid=pod][data-name^=web-][data-status=Running]") >= 1
            && count(&site, "[data-testid=pod][data-name=client][data-status=Running]") == 1
    });
    assert!(running, "web and client never ran\n{}", diagnose(&site));
    // Paused, the packets are drawn one step at a time.
    click(&site, "pause");
    run(&site, "kubectl exec client -- wget -qO- web");
    let answered = poll(Duration::from_secs(20), || terminal_text(&site).contains("Welcome to nginx!"));
    assert!(answered, "wget printed no page: {}\n{}", terminal_text(&site), diagnose(&site));
    let mut seen = None;
    for _ in 0..400 {
        seen = packet_from_proxy(&site);
        if seen.is_some() {
            break;
        }
        click(&site, "step");
    }
    let Some((id, from, to)) = seen else {
        panic!("no packet leaving a kube-proxy was ever drawn\n{}", diagnose(&site));
    };
    assert!(to.starts_with("kindnet/"), "{from} → {to}");
    shot(&site, "packets-diagram");

    // The packet opens in the inspector with what kube-proxy decided and the node's rules, the
    // matched ones (KUBE-SERVICES' jump, the KUBE-SVC rule, the KUBE-SEP DNAT) highlighted.
    let dot = site
        .session
        .find(&format!("[data-testid=message][data-id=\"{id}\"]"))
        .expect("finding works")
        .unwrap_or_else(|| panic!("the dot left before the click\n{}", diagnose(&site)));
    site.session.click(&dot).expect("clicking works");
    let opened = poll(Duration::from_secs(10), || count(&site, "[data-testid=matched-rule]") >= 3);
    let text = inspector(&site);
    assert!(opened, "the packet's rules are not highlighted: {text}\n{}", diagnose(&site));
    assert!(text.contains("KUBE-SERVICES → KUBE-SVC-") && text.contains("DNAT to 10.244."), "{text}");
    assert!(text.contains(&format!("Rules on {}", from.trim_start_matches("kube-proxy/"))), "{text}");
    site.session
        .execute("document.querySelector('[data-testid=matched-rule]').scrollIntoView({block: 'center'});", vec![])
        .expect("the script runs");
    shot(&site, "packets-matched-rules");

    // The packet crosses to the node CoreDNS runs on (the control-plane's, where kind's CoreDNS runs
    // here), from kindnet to kindnet.
    let mut crossed = false;
    for _ in 0..60 {
        click(&site, "step");
        crossed =
            count(&site, "[data-testid=message][data-kind=packet][data-from^=\"kindnet/\"][data-to^=\"kindnet/\"]") > 0;
        if crossed {
            break;
        }
    }
    assert!(crossed, "no packet was drawn between two nodes' kindnet\n{}", diagnose(&site));
    site.session
        .execute(
            "document.querySelector('[data-testid=message][data-kind=packet]').scrollIntoView({block: 'center'});",
            vec![],
        )
        .expect("the script runs");
    shot(&site, "packets-between-nodes");

    // kube-proxy itself shows the same rules, marked with the latest packet's. (Clicked from a
    // script: a packet's dot may sit on the box.)
    let selector = format!("[data-testid=component][data-name=\"{from}\"]");
    let clicked = site
        .session
        .execute(
            "const c = document.querySelector(arguments[0]); if (!c) return false; \
             c.dispatchEvent(new MouseEvent('click', {bubbles: true})); return true;",
            vec![serde_json::Value::from(selector)],
        )
        .expect("the script runs");
    assert_eq!(clicked, serde_json::Value::Bool(true), "no {from} on the diagram\n{}", diagnose(&site));
    let shown = poll(Duration::from_secs(10), || {
        count(&site, "[data-testid=proxy-rules]") == 1 && count(&site, "[data-testid=matched-rule]") >= 2
    });
    assert!(shown, "kube-proxy shows no marked rules: {}\n{}", inspector(&site), diagnose(&site));
    shot(&site, "packets-kube-proxy-rules");
}
