from tests.chatsight_simulator.harness import (  # noqa: F401 - fixtures, found by name
    auto_simulator,
    http,
    simulator,
    webhook_sink,
)
