package bench

import (
	"context"
	"os"
	"strconv"
	"strings"
	"time"

	"shkola/internal/store"
)

// CPU is the processor time spent during a run: by this process (server,
// clients and baseline alike) and, when the database is a PostgreSQL
// server on this machine, by its processes serving the bench's database.
// Per operation it is steadier than operations per second on a machine
// shared with other work, which slows every run but charges each
// operation about the same time.
type CPU struct {
	Process time.Duration
	DB      time.Duration
	DBKnown bool // false for SQLite (inside Process) and a server elsewhere
}

// cpuMeter samples the CPU time of the process and of the database.
type cpuMeter struct {
	db *store.DB // nil: the database runs inside this process
}

// cpuSample is one reading: the process's time and each database server
// process's, by pid.
type cpuSample struct {
	process  time.Duration
	backends map[int]time.Duration
}

func (c cpuMeter) read(ctx context.Context) cpuSample {
	s := cpuSample{process: processCPU()}
	if c.db != nil {
		s.backends = c.backendCPU(ctx)
	}
	return s
}

// since is the time spent between s0 and s. A server process that began
// during the run counts whole; one that ended during it is lost, so the
// database's share is a lower bound (the pool keeps its connections for
// 30 minutes, so none ends in a run).
func (s cpuSample) since(s0 cpuSample) CPU {
	c := CPU{Process: s.process - s0.process}
	if s.backends == nil || s0.backends == nil {
		return c
	}
	c.DBKnown = true
	for pid, t := range s.backends {
		c.DB += t - s0.backends[pid]
	}
	return c
}

// backendCPU reads, from /proc, the CPU time of the PostgreSQL processes
// serving this database; nil when they are not on this machine.
func (c cpuMeter) backendCPU(ctx context.Context) map[int]time.Duration {
	rows, err := c.db.R.QueryContext(ctx, "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
	if err != nil {
		return nil
	}
	defer rows.Close()
	out := map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return nil
		}
		t, ok := procCPU(pid, "postgres")
		if !ok {
			return nil // a server elsewhere, or /proc not readable
		}
		out[pid] = t
	}
	if rows.Err() != nil || len(out) == 0 {
		return nil
	}
	return out
}

// procCPU is the user and system time of process pid from
// /proc/pid/stat, if its command is comm.
func procCPU(pid int, comm string) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	s := string(b)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open || s[open+1:closing] != comm {
		return 0, false
	}
	f := strings.Fields(s[closing+1:]) // f[0] is the state, field 3 of stat
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	// Linux reports clock ticks of USER_HZ, 100 per second on every
	// architecture Go supports.
	return time.Duration(utime+stime) * (time.Second / 100), true
}
