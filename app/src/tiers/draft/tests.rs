use super::*;

fn draft() -> RulesDraft {
    RulesDraft::from(&TierRules::default())
}

#[test]
fn the_rules_in_force_read_back_unchanged() {
    assert_eq!(draft().to_rules().unwrap(), TierRules::default());
}

#[test]
fn amounts_are_typed_in_major_units() {
    let draft = draft();
    assert_eq!(draft.tiers[1].threshold, "1000.00");
    assert_eq!(draft.programme.points_value, "1.00");
    let mut typed = draft.clone();
    typed.tiers[1].threshold = "1,500.5".to_owned();
    assert_eq!(typed.to_rules().unwrap().tiers[1].threshold_minor, 150_050);
}

#[test]
fn a_mistake_names_the_input_it_is_about() {
    let mut typed = draft();
    typed.tiers[2].threshold = "lots".to_owned();
    let error = typed.to_rules().unwrap_err();
    assert_eq!(error.field.as_deref(), Some("tiers[2].threshold_minor"));
    assert_eq!(
        input_name(error.field.as_deref().unwrap()),
        "tiers[2][threshold]"
    );

    let mut typed = draft();
    typed.tiers[1]
        .names
        .insert("zh-CN".to_owned(), "  ".to_owned());
    let error = typed.to_rules().unwrap_err();
    assert_eq!(
        input_name(error.field.as_deref().unwrap()),
        "tiers[1][names][zh-CN]"
    );

    let mut typed = draft();
    typed.programme.window_days = "a year".to_owned();
    let error = typed.to_rules().unwrap_err();
    assert_eq!(
        input_name(error.field.as_deref().unwrap()),
        "programme[window_days]"
    );
    assert!(error.message.contains("\"a year\" is not a whole number"));

    let mut typed = draft();
    typed.tiers[3].benefits[1].value = "-1".to_owned();
    let error = typed.to_rules().unwrap_err();
    assert_eq!(
        input_name(error.field.as_deref().unwrap()),
        "tiers[3][benefits][1][value]"
    );
}

#[test]
fn validation_still_applies_to_what_was_typed() {
    let mut typed = draft();
    typed.tiers[0].threshold = "5".to_owned();
    let error = typed.to_rules().unwrap_err();
    assert!(
        error.message.contains("the first tier must start at 0"),
        "{error:?}"
    );
    assert_eq!(
        input_name(error.field.as_deref().unwrap()),
        "tiers[0][threshold]"
    );
}

#[test]
fn a_blank_benefit_value_means_none() {
    let mut typed = draft();
    typed.tiers[2].benefits[0].value = " ".to_owned();
    assert_eq!(typed.to_rules().unwrap().tiers[2].benefits[0].value, None);
}

#[test]
fn tiers_and_benefits_are_added_and_removed() {
    let mut typed = draft();
    typed.apply(DraftEdit::AddTier).unwrap();
    assert_eq!(typed.tiers.len(), 5);
    assert_eq!(typed.tiers[4].names.len(), languages().count());
    typed.apply(DraftEdit::AddBenefit(4)).unwrap();
    assert_eq!(typed.tiers[4].benefits.len(), 1);
    typed.apply(DraftEdit::RemoveBenefit(1, 0)).unwrap();
    assert_eq!(typed.tiers[1].benefits[0].code, "review_points_percent");
    typed.apply(DraftEdit::RemoveTier(4)).unwrap();
    typed.apply(DraftEdit::RemoveTier(0)).unwrap();
    assert_eq!(typed.tiers[0].code, "silver");

    assert!(typed.apply(DraftEdit::RemoveTier(9)).is_err());
    assert!(typed.apply(DraftEdit::RemoveBenefit(0, 9)).is_err());
    assert!(typed.apply(DraftEdit::AddBenefit(9)).is_err());
    let mut one = RulesDraft {
        tiers: vec![TierDraft::default()],
        ..RulesDraft::default()
    };
    let error = one.apply(DraftEdit::RemoveTier(0)).unwrap_err();
    assert!(error.message.contains("at least one tier"));
    for _ in 1..MAX_TIERS {
        one.apply(DraftEdit::AddTier).unwrap();
    }
    assert!(one.apply(DraftEdit::AddTier).is_err());
}

#[test]
fn edits_read_back_from_their_button_values() {
    for edit in [
        DraftEdit::AddTier,
        DraftEdit::RemoveTier(3),
        DraftEdit::AddBenefit(0),
        DraftEdit::RemoveBenefit(2, 11),
    ] {
        assert_eq!(DraftEdit::parse(&edit.value()).unwrap(), edit);
    }
    for unknown in [
        "",
        "remove-tier-",
        "remove-tier-x",
        "remove-benefit-1",
        "drop-tier-1",
    ] {
        assert_eq!(
            DraftEdit::parse(unknown).unwrap_err().field.as_deref(),
            Some("edit")
        );
    }
}

#[test]
fn an_oversized_draft_is_refused() {
    let mut typed = draft();
    typed.tiers[1].benefits[0]
        .names
        .insert("en".to_owned(), "x".repeat(401));
    let error = typed.check_size().unwrap_err();
    assert_eq!(
        error.field.as_deref(),
        Some("tiers[1].benefits[0].names.en")
    );
    let mut typed = draft();
    typed.tiers = vec![TierDraft::default(); MAX_TIERS + 1];
    assert!(typed.check_size().is_err());
    let mut typed = draft();
    typed.tiers[0]
        .names
        .insert("x".repeat(300), "Bronze".to_owned());
    let error = typed.check_size().unwrap_err();
    assert!(error.message.contains("does not speak"), "{error:?}");
    draft().check_size().unwrap();
}

/// The form's bracketed names, as a browser sends them, read into a draft the way server functions read them.
#[test]
fn the_forms_field_names_read_into_a_draft() {
    #[derive(Deserialize)]
    struct Posted {
        programme: ProgrammeDraft,
        #[serde(default)]
        tiers: Vec<TierDraft>,
        edit: Option<String>,
    }
    let body = [
        ("programme[currency]", "CNY"),
        ("programme[window_days]", "365"),
        ("programme[count_tax]", "true"),
        ("tiers[0][code]", "bronze"),
        ("tiers[0][names][en]", "Bronze"),
        ("tiers[0][names][zh-CN]", "铜牌"),
        ("tiers[0][threshold]", "0"),
        ("tiers[1][code]", "silver"),
        ("tiers[1][benefits][0][names][zh-CN]", "包邮"),
        ("tiers[1][benefits][0][value]", "4900"),
        ("edit", "add-benefit-1"),
    ]
    .map(|(name, value)| format!("{}={}", urlencoding(name), urlencoding(value)))
    .join("&");
    let posted: Posted = serde_qs::Config::new(5, false)
        .deserialize_str(&body)
        .unwrap();
    assert!(posted.programme.count_tax && !posted.programme.count_shipping);
    assert_eq!(posted.tiers.len(), 2);
    assert_eq!(posted.tiers[0].names["zh-CN"], "铜牌");
    assert_eq!(posted.tiers[1].benefits[0].value, "4900");
    assert_eq!(posted.edit.as_deref(), Some("add-benefit-1"));
}

fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[test]
fn validation_paths_name_form_inputs() {
    for (field, input) in [
        ("currency", "programme[currency]"),
        ("points_value_minor", "programme[points_value]"),
        ("tiers", "tiers"),
        ("tiers[0].colour", "tiers[0][colour]"),
        (
            "tiers[1].benefits[2].names.zh-CN",
            "tiers[1][benefits][2][names][zh-CN]",
        ),
    ] {
        assert_eq!(input_name(field), input);
    }
}
