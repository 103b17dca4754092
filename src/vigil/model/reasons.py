"""Stable reason codes. A code, once published, keeps its meaning; docs/reason-codes.md explains each.

Rules cite these codes; analysts, reports and models read them. Rename never: add a new code and
retire the old one.
"""

from __future__ import annotations

from enum import StrEnum


class ReasonCode(StrEnum):
    # Size and frequency
    STRUCTURING_NEAR_THRESHOLD = "structuring.near_threshold"
    VELOCITY_HIGH_VALUE_BURST = "velocity.high_value_burst"
    VELOCITY_LOGIN_IP_CHURN = "velocity.login_ip_churn"
    VELOCITY_FAILED_LOGINS = "velocity.failed_logins"
    # Behaviour against the account's own history
    BEHAVIOUR_HIGH_VALUE_NEW_DESTINATION = "behaviour.high_value_new_destination"
    BEHAVIOUR_DORMANT_REACTIVATION = "behaviour.dormant_reactivation"
    BEHAVIOUR_NEW_COUNTRY = "behaviour.new_country"
    BEHAVIOUR_IMPOSSIBLE_TRAVEL = "behaviour.impossible_travel"
    DEPOSIT_UNUSUAL_AMOUNT = "deposit.unusual_amount"
    # Pass-through and conversion
    PASSTHROUGH_DEPOSIT_WITHDRAW = "passthrough.deposit_withdraw"
    PASSTHROUGH_MULTI_ASSET = "passthrough.multi_asset_conversion"
    # Profile
    PROFILE_LARGE_FIRST_DEPOSIT = "profile.large_first_deposit"
    PROFILE_NEW_ACCOUNT_CASH_OUT = "profile.new_account_cash_out"
    PROFILE_PURCHASES_EXCEED_WEALTH = "profile.purchases_exceed_wealth"
    PROFILE_ELDERLY_HEAVY_USE = "profile.elderly_heavy_use"
    PROFILE_FREQUENT_CHANGES = "profile.frequent_changes"
    # Links between accounts
    NETWORK_SHARED_DESTINATION = "network.shared_destination"
    NETWORK_SHARED_DEVICE = "network.shared_device"
    NETWORK_SHARED_IP = "network.shared_ip"
    NETWORK_REPEATED_SIGNUPS = "network.repeated_signups"
    NETWORK_FAN_IN_CASH_OUT = "network.fan_in_cash_out"
    NETWORK_CONCENTRATED_COUNTERPARTY = "network.concentrated_counterparty"
    # Anonymity
    ANONYMITY_PRIVACY_COIN = "anonymity.privacy_coin"
    ANONYMITY_PRIVACY_COIN_AFTER_DEPOSIT = "anonymity.privacy_coin_after_deposit"
    ANONYMITY_TOR = "anonymity.tor"
    ANONYMITY_VPN_OR_HOSTING = "anonymity.vpn_or_hosting"
    # Geography
    GEO_SANCTIONED_JURISDICTION = "geo.sanctioned_jurisdiction"
    GEO_HIGH_RISK_JURISDICTION = "geo.high_risk_jurisdiction"
    GEO_ORIGIN_MISMATCH = "geo.origin_mismatch"
    # Identity
    KYC_DOCUMENT_CHECK_FAILED = "kyc.document_check_failed"
    KYC_LIVENESS_OR_DEEPFAKE = "kyc.liveness_or_deepfake"
    # Identity documents: a KYC submission against its machine-readable zone (raised by the document
    # policy, identity/policies/default.yaml), and documents reused across accounts (the identity pack)
    IDENTITY_MRZ_UNREADABLE = "identity.mrz_unreadable"
    IDENTITY_MRZ_INVALID = "identity.mrz_invalid"
    IDENTITY_DOCUMENT_EXPIRED = "identity.document_expired"
    IDENTITY_UNDERAGE = "identity.underage"
    IDENTITY_NAME_MISMATCH = "identity.name_mismatch"
    IDENTITY_BIRTH_DATE_MISMATCH = "identity.birth_date_mismatch"
    IDENTITY_SEX_MISMATCH = "identity.sex_mismatch"
    IDENTITY_NATIONALITY_MISMATCH = "identity.nationality_mismatch"
    IDENTITY_ISSUER_OUTSIDE_REGION = "identity.issuer_outside_region"
    IDENTITY_DOCUMENT_REUSED = "identity.document_reused"
    IDENTITY_DOCUMENT_OTHER_NAME = "identity.document_other_name"
    IDENTITY_UNMATCHED_NAME_WITHDRAWAL = "identity.unmatched_name_withdrawal"
    # Other
    P2P_UNREGISTERED_EXCHANGER = "p2p.unregistered_exchanger"
    MEMO_ILLICIT_TERMS = "memo.illicit_terms"
    # Withdrawal protections
    PROTECT_COOLING_NEW_ADDRESS = "protect.cooling_new_address"
    PROTECT_COOLING_PASSWORD_RESET = "protect.cooling_password_reset"
    PROTECT_COOLING_2FA_CHANGE = "protect.cooling_2fa_change"
    PROTECT_NEW_DESTINATION_STEP_UP = "protect.new_destination_step_up"
    PROTECT_NEW_ADDRESS_STEP_UP = "protect.new_address_step_up"
    PROTECT_RECENT_CHANGE_NEW_DEVICE = "protect.recent_change_new_device"
    PROTECT_DELAY_WAIVED = "protect.delay_waived"
    PROTECT_UNUSUAL_WITHDRAWAL = "protect.unusual_withdrawal"
    PROTECT_NEW_DEVICE_WITHDRAWAL = "protect.new_device_withdrawal"
    PROTECT_NEW_DEVICE_CHANGE = "protect.new_device_sensitive_change"
    PROTECT_ALLOWLISTED_ADDRESS = "protect.allowlisted_address"
    PROTECT_API_KEY_UNRESTRICTED = "protect.api_key_unrestricted_withdrawal"
    # Screening against lists (raised by the screening policy, not by rule packs)
    SCREEN_ADDRESS_SANCTIONED = "screening.address_sanctioned"
    SCREEN_ADDRESS_ILLICIT = "screening.address_illicit"
    SCREEN_ADDRESS_SCAM = "screening.address_scam"
    SCREEN_ADDRESS_MIXER = "screening.address_mixer"
    SCREEN_ADDRESS_ATTRIBUTED = "screening.address_attributed"
    SCREEN_ADDRESS_UNVERIFIABLE = "screening.address_unverifiable"
    SCREEN_NAME_MATCH = "screening.name_match"
    # The risk model (per-feature contributions to its score, by family of feature)
    MODEL_VELOCITY = "model.velocity"
    MODEL_BEHAVIOUR = "model.behaviour"
    MODEL_PASSTHROUGH = "model.passthrough"
    MODEL_PROFILE = "model.profile"
    MODEL_NETWORK = "model.network"
    MODEL_EVENT = "model.event"
    MODEL_ANOMALY = "model.anomaly"
    MODEL_EVIDENCE = "model.evidence"
    # The security desk's actions in force
    DESK_ACCOUNT_FROZEN = "desk.account_frozen"
    # Requests from authorities: the requester's e-mail domain against the agency directory
    LER_FREE_MAIL = "ler.free_mail"
    LER_LOOKALIKE_DOMAIN = "ler.lookalike_domain"
    LER_DOMAIN_MISMATCH = "ler.domain_mismatch"
