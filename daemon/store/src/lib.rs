//! rapport's sled store: notifications, tasks and their indexes, cursors, ledgers, plugin data.
