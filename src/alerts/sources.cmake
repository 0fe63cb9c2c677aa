# The sources of the alerts layer (failure alerts, issue 16 items 1-2), listed
# one per line rather than globbed. The lint.sources_listed test
# (scripts/check_layers.py) fails when a .cc under src/alerts/ is missing here.
set(SB_ALERTS_SOURCES
    alert_monitor.cc
    alert_texts.cc
    channel_input.cc
    episode_rules.cc
    look_throttle.cc
    mailer.cc
    smtp_client.cc)
# The layer's unit tests: one binary, alerts_tests.
set(SB_ALERTS_TESTS
    alert_monitor_test.cc
    alert_texts_test.cc
    channel_input_test.cc
    episode_rules_test.cc
    look_throttle_test.cc
    mailer_test.cc
    smtp_client_test.cc)
