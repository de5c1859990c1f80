/** The example of formats.md §1, in MADSci's exact layout. */
export const MADSCI_EXAMPLE = `{
  "version": 1,
  "created_at": "2026-03-05T14:00:00.120000Z",
  "updated_at": "2026-03-05T14:02:10.004211Z",
  "entries": {
    "liquidhandler_1": {
      "id": "01JNQ8Z6T9K3M2V7X4C5B8D0EF",
      "component_type": "node",
      "created_at": "2026-03-05T14:00:00.130000Z",
      "last_seen": "2026-03-05T14:02:10.004100Z",
      "metadata": {
        "module_name": "liquidhandler",
        "volume": 200.0,
        "tolerance": 1e-07,
        "serial": 12345678901234567890,
        "unit": "\\u00b5L"
      },
      "lock": {
        "holder_pid": 4242,
        "holder_host": "lab-pc-01",
        "holder_instance": "01JNQA3F5XG8E2D7W9R1C4HB6S",
        "acquired_at": "2026-03-05T14:00:00.140000Z",
        "heartbeat_at": "2026-03-05T14:02:10.004100Z",
        "expires_at": "2026-03-05T14:02:40.004100Z"
      },
      "workcell_id": null
    },
    "7": {
      "id": "01JNQ8Z6T9K3M2V7X4C5B8D0EG",
      "component_type": "workcell",
      "created_at": "2026-03-05T14:00:00Z",
      "last_seen": "2026-03-05T14:00:00Z",
      "metadata": {},
      "lock": null,
      "workcell_id": "wc-1"
    }
  }
}`;
