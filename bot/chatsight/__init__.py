"""chatsight."""
