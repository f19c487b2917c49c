package bench

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// Memory is the resident set of this process in bytes (0 where the system
// does not say, i.e. off Linux).
type Memory struct {
	PeakRSS int64 // VmHWM: the most resident at once during the run
	RSS     int64 // VmRSS: resident when the run ended
	// PeakSinceStart: the peak could not be reset before the run, so it is
	// the process's peak so far.
	PeakSinceStart bool
}

// ReadMemory reads VmHWM and VmRSS from /proc/self/status.
func ReadMemory() Memory {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return Memory{}
	}
	var m Memory
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok {
			continue
		}
		switch string(k) {
		case "VmHWM":
			m.PeakRSS = kib(v)
		case "VmRSS":
			m.RSS = kib(v)
		}
	}
	return m
}

func kib(v []byte) int64 {
	f := bytes.Fields(v) // "  123456 kB"
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.ParseInt(string(f[0]), 10, 64)
	return n << 10
}

// ResetPeakRSS sets VmHWM back to the current RSS (Linux 4.0 and later), so
// each run reports its own peak.
func ResetPeakRSS() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// loadAverage is the first three fields of /proc/loadavg, or "".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}
