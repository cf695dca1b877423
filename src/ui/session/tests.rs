//! The saved format, pinned: saves in learners' browsers and share links must keep reading.

use super::*;

fn sample() -> Session {
    Session {
        version: VERSION,
        seed: 7,
        ops: vec![
            Logged {
                at: 0,
                op: Op::Kubectl { line: "kubectl create deployment web --image=nginx".into(), stdin: None },
            },
            Logged {
                at: 1500,
                op: Op::Kubectl { line: "kubectl apply -f -".into(), stdin: Some("kind: Pod\n# ünïcödé\n".into()) },
            },
            Logged { at: 9000, op: Op::Node { name: "kind-worker2".into(), running: false } },
            Logged { at: 9001, op: Op::Component { name: "kube-scheduler".into(), running: false } },
            Logged { at: 9500, op: Op::AddNode { name: "kind-worker4".into() } },
        ],
        now: 12_345,
        preset: None,
        lesson: Some(LessonProgress { id: "deployment".into(), done: vec![412, 967], began: 1203 }),
    }
}

#[test]
fn json_and_hash_round_trip() {
    let s = sample();
    assert_eq!(Session::from_json(&s.to_json()), Ok(s.clone()));
    let hash = s.to_hash();
    let code = hash.strip_prefix("#s=").expect("a share fragment starts with #s=");
    assert!(!code.contains(['+', '/', '=', '#', ' ']), "{code}");
    assert_eq!(Session::from_hash(&hash), Ok(Some(s)));
}

#[test]
fn the_format_is_stable() {
    // Saves written by this version must stay readable: this is what one looks like.
    let text = r#"{"version":1,"seed":3,"ops":[{"at":5,"op":"kubectl","line":"kubectl get pods"},{"at":6,"op":"node","name":"w","running":true}],"now":10}"#;
    let s = Session::from_json(text).expect("the documented format reads");
    assert_eq!(s.ops[0].op, Op::Kubectl { line: "kubectl get pods".into(), stdin: None });
    assert_eq!(s.ops[1].op, Op::Node { name: "w".into(), running: true });
    assert_eq!(s.to_json(), text);
}

#[test]
fn every_kind_of_action_and_preset_step_keeps_its_saved_form() {
    // Written by the serde derive this format was first saved with: saves in browsers look like this.
    let text = r#"{"version":1,"seed":9,"ops":[{"at":1,"op":"kubectl","line":"kubectl apply -f -","stdin":"a: b\n"},{"at":2,"op":"kubectl","line":"kubectl get pods"},{"at":3,"op":"node","name":"w","running":false},{"at":4,"op":"component","name":"kube-scheduler","running":true},{"at":5,"op":"add-node","name":"kind-worker4"}],"now":0,"preset":{"preset":"p","steps":[{"do":"kubectl","line":"kubectl apply -f -","stdin":"x"},{"do":"kubectl","line":"kubectl get pods"},{"do":"power-off-busiest-worker","app":"web"},{"do":"wait","until":{"until":"rolled-out","deployment":"web"}},{"do":"wait","until":{"until":"failed-scheduling","pod":"big"}},{"do":"wait","until":{"until":"crash-loop-back-off","pod":"c"}}],"deadline":77}}"#;
    let s = Session::from_json(text).expect("every variant reads");
    assert_eq!(s.ops[4].op, Op::AddNode { name: "kind-worker4".into() });
    let run = s.preset.as_ref().expect("the preset reads");
    assert_eq!((run.steps.len(), run.deadline), (6, Some(77)));
    assert_eq!(run.steps[5], Step::Wait { until: Until::CrashLoopBackOff { pod: "c".into() } });
    assert_eq!(s.to_json(), text);
}

#[test]
fn a_lesson_under_way_keeps_its_saved_form() {
    let text = r#"{"version":1,"seed":1,"ops":[],"now":0,"lesson":{"id":"deployment","done":[412,967]}}"#;
    let s = Session::from_json(text).expect("a lesson reads");
    assert_eq!(s.lesson, Some(LessonProgress { id: "deployment".into(), done: vec![412, 967], began: 0 }));
    assert_eq!(s.to_json(), text);
    let text = r#"{"version":1,"seed":1,"ops":[],"now":0,"lesson":{"id":"deployment","done":[412],"began":967}}"#;
    let s = Session::from_json(text).expect("a lesson with the start of its current step reads");
    assert_eq!(s.lesson, Some(LessonProgress { id: "deployment".into(), done: vec![412], began: 967 }));
    assert_eq!(s.to_json(), text);
    let bad = r#"{"version":1,"seed":1,"ops":[],"now":0,"lesson":{"id":"x","done":["a"]}}"#;
    assert_eq!(
        Session::from_json(bad),
        Err(PersistError::Corrupt("lesson: field `done` is not a list of whole numbers".into()))
    );
}

#[test]
fn unreadable_saves_are_refused_with_a_reason() {
    type Check = fn(&PersistError) -> bool;
    let cases: [(&str, Check); 13] = [
        ("", |e| matches!(e, PersistError::Corrupt(_))),
        ("{not json", |e| matches!(e, PersistError::Corrupt(_))),
        (r#"{"seed":1}"#, |e| matches!(e, PersistError::Corrupt(m) if m.contains("no version"))),
        (r#"{"version":0,"seed":1,"ops":[],"now":0}"#, |e| *e == PersistError::Version { found: 0 }),
        (r#"{"version":2}"#, |e| *e == PersistError::Version { found: 2 }),
        (
            r#"{"version":1,"seed":1,"ops":[{"at":1,"op":"reboot"}],"now":0}"#,
            |e| matches!(e, PersistError::Corrupt(m) if m == "ops[0]: unknown op \"reboot\""),
        ),
        (
            r#"{"version":1,"seed":1,"ops":[{"at":1,"op":"node","name":"w"}],"now":0}"#,
            |e| matches!(e, PersistError::Corrupt(m) if m == "ops[0]: missing field `running`"),
        ),
        (
            r#"{"version":1,"seed":1,"ops":[{"at":-1,"op":"add-node","name":"w"}],"now":0}"#,
            |e| matches!(e, PersistError::Corrupt(m) if m.contains("`at` is not a whole number")),
        ),
        (
            r#"{"version":1,"seed":"1","ops":[],"now":0}"#,
            |e| matches!(e, PersistError::Corrupt(m) if m.contains("`seed` is not")),
        ),
        (
            r#"{"version":1,"seed":1,"ops":{},"now":0}"#,
            |e| matches!(e, PersistError::Corrupt(m) if m.contains("`ops` is not a list")),
        ),
        (
            r#"{"version":1,"seed":1,"ops":[7],"now":0}"#,
            |e| matches!(e, PersistError::Corrupt(m) if m == "ops[0] is not an object"),
        ),
        (
            r#"{"version":1,"seed":1,"ops":[],"now":0,"preset":{"preset":"p","steps":[{"do":"wait","until":{"until":"forever"}}]}}"#,
            |e| matches!(e, PersistError::Corrupt(m) if m == "preset.steps[0].until: unknown condition \"forever\""),
        ),
        (
            r#"{"version":1,"seed":1,"ops":[],"now":0,"preset":{"preset":"p","steps":[{"do":"dance"}]}}"#,
            |e| matches!(e, PersistError::Corrupt(m) if m == "preset.steps[0]: unknown step \"dance\""),
        ),
    ];
    for (text, ok) in cases {
        let err = Session::from_json(text).expect_err(text);
        assert!(ok(&err), "{text}: {err}");
    }
}

#[test]
fn hashes_without_a_session_or_damaged_ones() {
    assert_eq!(Session::from_hash(""), Ok(None));
    assert_eq!(Session::from_hash("#help"), Ok(None));
    assert_eq!(Session::from_hash("#s=!!!"), Err(PersistError::BadLink));
    assert_eq!(Session::from_hash(&format!("#s={}", codec::encode(&[0xff, 0xfe]))), Err(PersistError::BadLink));
    let not_json = format!("#s={}", codec::encode(b"hello"));
    assert!(matches!(Session::from_hash(&not_json), Err(PersistError::Corrupt(_))));
}
