package audit

import "crypto/ed25519"

// Signer signs checkpoints with an Ed25519 key kept outside the database.
type Signer struct {
	priv  ed25519.PrivateKey
	pub   ed25519.PublicKey
	keyID string
}
