"""Ground-floor code every package needs: settings, the error root, identity codes,
pseudonyms, key files and owner-only files. Imports nothing of the project's."""
