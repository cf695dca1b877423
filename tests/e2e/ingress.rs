//! Ingress as kind's guide sets it up, in the browser: ingress-nginx from the guide's URL, the
//! guide's example (the `foo` and `bar` http-echo apps behind one Ingress) from the editor, and a
//! `curl` from a pod through the controller's Service. The answer is the `foo` app's, and the request
//! is drawn hop by hop: the client's connection to the controller's pod, the controller's own
//! connection from its pod to foo's endpoint (first hop at kindnet: no Service rule for a pod's
//! address), and nginx's answer back to the client.

use std::time::Duration;

use serde_json::Value;

use super::diagnose;
use super::scenarios::{SETTLE, click, count, poll, run, shot, start, terminal_text};

/// kind's `examples/ingress/usage.yaml` (the http-echo version): two apps, their Services, and an
/// Ingress sending `/foo` and `/bar` to them.
const USAGE: &str = "kind: Pod\napiVersion: v1\nmetadata:\n  name: foo-app\n  labels:\n    app: foo\nspec:\n  containers:\n  - name: foo-app\n    image: hashicorp/http-echo:0.2.3\n    args:\n    - \"-text=foo\"\n---\nkind: Service\napiVersion: v1\nmetadata:\n  name: foo-service\nspec:\n  selector:\n    app: foo\n  ports:\n  # Default port used by the image\n  - port: 5678\n---\nkind: Pod\napiVersion: v1\nmetadata:\n  name: bar-app\n  labels:\n    app: bar\nspec:\n  containers:\n  - name: bar-app\n    image: hashicorp/http-echo:0.2.3\n    args:\n    - \"-text=bar\"\n---\nkind: Service\napiVersion: v1\nmetadata:\n  name: bar-service\nspec:\n  selector:\n    app: bar\n  ports:\n  # Default port used by the image\n  - port: 5678\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: example-ingress\nspec:\n  rules:\n  - http:\n      paths:\n      - pathType: Prefix\n        path: \"/foo\"\n        backend:\n          service:\n            name: foo-service\n            port:\n              number: 5678\n      - pathType: Prefix\n        path: \"/bar\"\n        backend:\n          service:\n            name: bar-service\n            port:\n              number: 5678\n";

/// The first packet drawn that matches `css` (after `[data-testid=message][data-kind=packet]`), as
/// its message id.
fn packet(site: &super::Site, css: &str) -> Option<String> {
    let js = "const d = document.querySelector('[data-testid=message][data-kind=packet]' + arguments[0]); \
              return d ? d.dataset.id : null;";
    let v = site.session.execute(js, vec![Value::from(css)]).expect("the script runs");
    v.as_str().map(String::from)
}

/// Steps the paused simulation until a packet matching `css` is drawn.
fn step_until(site: &super::Site, css: &str) -> Option<String> {
    for _ in 0..600 {
        if let Some(id) = packet(site, css) {
            return Some(id);
        }
        click(site, "step");
    }
    None
}

/// Brings the packet's dot on the diagram and its decision in the inspector into view, for a screenshot.
fn show(site: &super::Site, id: &str) {
    site.session
        .execute(
            "const d = document.querySelector(`[data-testid=message][data-id=\"${arguments[0]}\"]`); \
             if (d) d.scrollIntoView({block: 'center'}); \
             const e = document.querySelector('[data-testid=message-decision]'); \
             if (e) e.scrollIntoView({block: 'center'});",
            vec![Value::from(id)],
        )
        .expect("the script runs");
}

fn open(site: &super::Site, id: &str) -> String {
    let dot = site
        .session
        .find(&format!("[data-testid=message][data-id=\"{id}\"]"))
        .expect("finding works")
        .unwrap_or_else(|| panic!("the dot left before the click\n{}", diagnose(site)));
    site.session.click(&dot).expect("clicking works");
    let mut text = String::new();
    poll(Duration::from_secs(10), || {
        let el = site.session.find("[data-testid=message-decision]").expect("finding works");
        text = el.map(|e| site.session.text(&e).expect("text")).unwrap_or_default();
        !text.is_empty()
    });
    text
}

#[test]
fn a_curl_through_ingress_nginx_is_drawn_to_the_backend_and_back() {
    let Some(site) = start("a_curl_through_ingress_nginx_is_drawn_to_the_backend_and_back") else {
        return;
    };
    run(&site, "kubectl apply -f https://kind.sigs.k8s.io/examples/ingress/deploy-ingress-nginx.yaml");
    let set = site
        .session
        .execute(
            "const t = document.querySelector('[data-testid=editor] textarea'); t.value = arguments[0]; \
             t.dispatchEvent(new InputEvent('input', {bubbles: true})); return t.value;",
            vec![Value::from(USAGE)],
        )
        .expect("the script runs");
    assert_eq!(set.as_str(), Some(USAGE));
    click(&site, "apply");
    run(&site, "kubectl run client --image=curlimages/curl -- sleep infinity");
    click(&site, "speed-max");
    let running = poll(SETTLE, || {
        count(&site, "[data-testid=pod][data-name^=ingress-nginx-controller-][data-status=Running]") == 1
            && count(&site, "[data-testid=pod][data-name=foo-app][data-status=Running]") == 1
            && count(&site, "[data-testid=pod][data-name=client][data-status=Running]") == 1
    });
    assert!(running, "the controller, foo-app and client never ran\n{}", diagnose(&site));
    // The controller's readiness probe and first configuration take a few seconds more.
    std::thread::sleep(Duration::from_secs(3));
    click(&site, "pause");
    run(&site, "kubectl exec client -- curl -s http://ingress-nginx-controller.ingress-nginx.svc/foo");
    let answered = poll(Duration::from_secs(20), || terminal_text(&site).lines().any(|l| l.trim() == "foo"));
    assert!(answered, "curl printed no `foo`: {}\n{}", terminal_text(&site), diagnose(&site));

    // nginx's own connection: from the controller's pod straight to kindnet, naming its choice.
    let proxied = step_until(&site, "[data-from^=\"pod/ingress-nginx/\"][data-to^=\"kindnet/\"]")
        .unwrap_or_else(|| panic!("nginx's connection to the backend was never drawn\n{}", diagnose(&site)));
    let decided = open(&site, &proxied);
    assert!(
        decided.contains("location = /foo (Prefix /foo of Ingress default/example-ingress)")
            && decided.contains("upstream default-foo-service-5678 → endpoint 10.244."),
        "{decided}\n{}",
        diagnose(&site)
    );
    show(&site, &proxied);
    std::thread::sleep(Duration::from_millis(300));
    show(&site, &proxied);
    shot(&site, "ingress-proxied-hop");

    // It reaches foo-app's pod, and nginx answers the client.
    let reached = step_until(&site, "[data-to=\"pod/default/foo-app\"]");
    assert!(reached.is_some(), "nginx's connection never reached foo-app\n{}", diagnose(&site));
    let answer = step_until(&site, "[data-from^=\"pod/ingress-nginx/\"][data-to=\"pod/default/client\"]")
        .unwrap_or_else(|| panic!("no answer from nginx to the client was drawn\n{}", diagnose(&site)));
    let decided = open(&site, &answer);
    show(&site, &answer);
    shot(&site, "ingress-answer-to-client");
    assert!(decided.contains("nginx passes on 10.244."), "{decided}\n{}", diagnose(&site));
    let inspector = site.session.find("[data-testid=inspector]").expect("finding works").expect("an inspector");
    let text = site.session.text(&inspector).expect("text");
    assert!(text.contains("HTTP/1.1 200 OK"), "{text}");
}
