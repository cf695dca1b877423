//! Autoscaling in the browser, as the docs' HorizontalPodAutoscaler walkthrough does it: php-apache
//! behind a Service, `kubectl autoscale` at 50 % CPU, a busybox loop requesting it; the replicas grow
//! in `kubectl get hpa` and as pods on the diagram, from metrics metrics-server scraped off the
//! kubelets (its scrapes are messages leaving its pod's chip).

use std::time::Duration;

use super::diagnose;
use super::scenarios::{SETTLE, click, count, poll, run, shot, start, terminal_text};
use super::storage::apply;

const PHP_APACHE: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: php-apache
spec:
  selector:
    matchLabels:
      run: php-apache
  template:
    metadata:
      labels:
        run: php-apache
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        ports:
        - containerPort: 80
        resources:
          limits:
            cpu: 500m
          requests:
            cpu: 200m
---
apiVersion: v1
kind: Service
metadata:
  name: php-apache
  labels:
    run: php-apache
spec:
  ports:
  - port: 80
  selector:
    run: php-apache
";

/// php-apache pods the diagram draws Running.
fn running_php(site: &super::Site) -> u64 {
    count(site, "[data-testid=pod][data-phase=Running][data-name^=php-apache-]")
}

/// The REPLICAS cell of the last `php-apache` row `kubectl get hpa` printed in the terminal.
fn hpa_replicas(site: &super::Site) -> Option<u32> {
    let text = terminal_text(site);
    let row = text.lines().rev().find(|l| l.starts_with("php-apache") && l.contains("Deployment/php-apache"))?;
    row.split_whitespace().nth(6)?.parse().ok()
}

#[test]
fn load_scales_php_apache_up() {
    let Some(site) = start("load_scales_php_apache_up") else {
        return;
    };
    apply(&site, PHP_APACHE);
    run(&site, "kubectl autoscale deployment php-apache --cpu-percent=50 --min=1 --max=10");
    let autoscaled = poll(Duration::from_secs(10), || terminal_text(&site).contains("php-apache autoscaled"));
    assert!(autoscaled, "kubectl autoscale did not answer\n{}", diagnose(&site));
    run(
        &site,
        "kubectl run load-generator --image=busybox:1.28 --restart=Never -- /bin/sh -c \"while sleep 0.01; do wget -q -O- http://php-apache; done\"",
    );
    click(&site, "speed-max");
    let grown = poll(SETTLE, || running_php(&site) >= 4);
    click(&site, "pause");
    assert!(grown, "php-apache never grew to 4 running pods: {}\n{}", running_php(&site), diagnose(&site));

    run(&site, "kubectl get hpa");
    let listed = poll(Duration::from_secs(10), || hpa_replicas(&site).is_some_and(|r| r >= 4));
    assert!(listed, "kubectl get hpa did not show the scale-up: {:?}\n{}", hpa_replicas(&site), diagnose(&site));
    let text = terminal_text(&site);
    assert!(text.contains("cpu: ") && !text.lines().last().unwrap_or_default().contains("<unknown>"), "{text}");
    shot(&site, "autoscaling-scaled");

    // metrics-server's next scrape: step message by message until a dot leaves its pod's chip.
    let from_metrics_server = "[data-testid=message][data-from=metrics-server][data-kind=kubelet]";
    let mut seen = false;
    for _ in 0..600 {
        click(&site, "step");
        if count(&site, from_metrics_server) > 0 {
            seen = true;
            break;
        }
    }
    assert!(seen, "no scrape from metrics-server was drawn\n{}", diagnose(&site));
    shot(&site, "autoscaling-scrape");
}
