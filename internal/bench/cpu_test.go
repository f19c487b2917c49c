package bench

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A process's CPU time is read from /proc only when its command is the one
// expected, and a run's database time counts a backend born during it whole.
func TestCPUTime(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	b, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	comm := strings.TrimSpace(string(b))
	before, ok := procCPU(os.Getpid(), comm)
	if !ok {
		t.Fatalf("own CPU time not read for %q", comm)
	}
	p0 := processCPU()
	for processCPU() < p0+50*time.Millisecond { // CPU time, not wall time: a busy machine only makes it longer
	}
	after, _ := procCPU(os.Getpid(), comm)
	if after <= before || processCPU() <= p0 {
		t.Errorf("50 ms of work not seen: /proc %v -> %v, getrusage %v -> %v", before, after, p0, processCPU())
	}
	if _, ok := procCPU(os.Getpid(), "postgres"); ok {
		t.Error("a process that is not postgres was read as one")
	}

	s0 := cpuSample{process: time.Second, backends: map[int]time.Duration{10: time.Second}}
	s1 := cpuSample{process: 3 * time.Second, backends: map[int]time.Duration{10: 2 * time.Second, 11: 500 * time.Millisecond}}
	if c := s1.since(s0); c.Process != 2*time.Second || !c.DBKnown || c.DB != 1500*time.Millisecond {
		t.Errorf("since: %+v", c)
	}
	if c := s1.since(cpuSample{process: time.Second}); c.DBKnown {
		t.Errorf("database time known without a first reading: %+v", c)
	}
}
