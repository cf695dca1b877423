//! Scenario tests of ingress-nginx as kind's guide installs it.
