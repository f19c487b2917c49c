package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// Client sends requests to the bench's server as an API client would.
type Client struct {
	base string
	hc   *http.Client
}

// Do sends one request (with a bearer token unless token is empty) and
// returns the status and the whole body; the connection is kept for reuse.
func (c *Client) Do(ctx context.Context, method, path, token string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// Expect is Do that calls any status but want an error.
func (c *Client) Expect(ctx context.Context, want int, method, path, token string, body []byte) ([]byte, error) {
	st, b, err := c.Do(ctx, method, path, token, body)
	if err != nil {
		return nil, err
	}
	if st != want {
		if len(b) > 300 {
			b = b[:300]
		}
		return nil, fmt.Errorf("%s %s: %d, want %d: %s", method, path, st, want, b)
	}
	return b, nil
}

// Upload sends a file as the request body (streamed, not held in memory)
// and calls any status but want an error.
func (c *Client) Upload(ctx context.Context, want int, path, token, contentType string, body io.Reader) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", c.base+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	// An import of a million lines takes minutes: no client timeout
	// beyond ctx (the server has its own for uploads).
	long := *c.hc
	long.Timeout = 0
	resp, err := long.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		if len(b) > 300 {
			b = b[:300]
		}
		return nil, fmt.Errorf("POST %s: %d, want %d: %s", path, resp.StatusCode, want, b)
	}
	return b, nil
}
