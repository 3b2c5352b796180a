// Command compare times nsview against lsns and the syscall floor on the
// processes running now, and checks that all three see the same
// namespaces. bench/run starts a population and calls it; see there.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// noAttribution names the table without the CONTAINER and POD columns,
// which is the default table with container attribution turned off.
const noAttribution = "nsview -o (no CONTAINER,POD)"

// floorCgroups names the floor that also reads each process's cgroup file,
// the least a lister that attributes containers must do.
const floorCgroups = "floor -c (+ cgroup files)"

// floorParallel and floorParallelCgroups name the floor run with nsview's
// system calls (readlinkat, not fstatat) on every core: the kernel's
// share of nsview's scan, without and with the cgroup files.
var (
	floorParallel        = fmt.Sprintf("floor -r -j %d", runtime.NumCPU())
	floorParallelCgroups = fmt.Sprintf("floor -r -c -j %d", runtime.NumCPU())
)

// run is one measured execution.
type run struct {
	wall   time.Duration
	maxRSS int64 // KiB
}

// command is one command line to measure.
type command struct {
	name string
	argv []string
	runs []run
}

func main() {
	nsview := flag.String("nsview", "./nsview", "the nsview binary")
	floor := flag.String("floor", "", "the floor binary (bench/floor.c)")
	rounds := flag.Int("rounds", 5, "paired rounds")
	pid := flag.Int("pid", os.Getpid(), "a PID for the -pid measurement")
	held := flag.Int("held", 0, "how many namespaces the population holds by bind mounts alone")
	flag.Parse()

	cmds := []*command{
		{name: "nsview", argv: []string{*nsview, "--color=never"}},
		{name: "nsview --deep", argv: []string{*nsview, "--deep", "--color=never"}},
		{name: noAttribution, argv: []string{*nsview, "-o", "ns,type,nprocs,pid,user,command", "--color=never"}},
		{name: "lsns", argv: []string{"lsns"}},
		{name: "floor (C, 1 thread)", argv: []string{*floor}},
		{name: floorCgroups, argv: []string{*floor, "-c"}},
		{name: floorParallel, argv: []string{*floor, "-r", "-j", fmt.Sprint(runtime.NumCPU())}},
		{name: floorParallelCgroups, argv: []string{*floor, "-r", "-c", "-j", fmt.Sprint(runtime.NumCPU())}},
		{name: "nsview --json", argv: []string{*nsview, "--json"}},
		{name: "nsview -t pid", argv: []string{*nsview, "-t", "pid", "--color=never"}},
		{name: "nsview --tree", argv: []string{*nsview, "--tree", "--color=never"}},
		{name: "nsview -pid P -o ns,type", argv: []string{*nsview, "-pid", fmt.Sprint(*pid), "-o", "ns,type"}},
	}
	for range *rounds {
		for _, c := range cmds {
			r, err := measureRetrying(c.argv)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", c.name, err)
				os.Exit(1)
			}
			c.runs = append(c.runs, r)
		}
	}
	report(cmds)
	// Other processes on the machine come and go between the three
	// listings; a difference that persists over three tries is real.
	var err error
	for range 3 {
		if err = agree(*nsview, *floor, *held); err == nil {
			return
		}
		time.Sleep(time.Second)
	}
	fmt.Println("agreement: FAILED:", err)
	os.Exit(1)
}

// measureRetrying measures argv, once more if it fails: lsns 2.38 exits 1
// now and then when a process it is reading exits (other work on the
// machine), and a failed run is not a measurement.
func measureRetrying(argv []string) (run, error) {
	r, err := measure(argv)
	for try := 1; err != nil && try < 3; try++ {
		fmt.Fprintf(os.Stderr, "%s failed (%v), measuring it again\n", argv[0], err)
		r, err = measure(argv)
	}
	return r, err
}

// measure runs argv with its output discarded and returns its wall time
// and peak resident set size.
func measure(argv []string) (run, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return run{}, fmt.Errorf("%w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	wall := time.Since(start)
	return run{wall: wall, maxRSS: cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss}, nil
}

func median(c *command) run {
	walls := make([]time.Duration, len(c.runs))
	rss := make([]int64, len(c.runs))
	for i, r := range c.runs {
		walls[i], rss[i] = r.wall, r.maxRSS
	}
	slices.Sort(walls)
	slices.Sort(rss)
	return run{wall: walls[len(walls)/2], maxRSS: rss[len(rss)-1]}
}

func report(cmds []*command) {
	m := map[string]run{}
	fmt.Printf("%-30s %12s %12s  %s\n", "command", "median wall", "peak RSS", "ratio")
	for _, c := range cmds {
		m[c.name] = median(c)
	}
	table := m["nsview"].wall.Seconds()
	ratio := map[string]string{
		"nsview":        fmt.Sprintf("%.3fx lsns, %.2fx floor", table/m["lsns"].wall.Seconds(), table/m["floor (C, 1 thread)"].wall.Seconds()),
		floorCgroups:    fmt.Sprintf("nsview is %.2fx this", table/m[floorCgroups].wall.Seconds()),
		"nsview --deep": fmt.Sprintf("%.2fx nsview", m["nsview --deep"].wall.Seconds()/table),
		noAttribution: fmt.Sprintf("nsview is %.2fx this; this is %.3fx lsns, %.2fx floor", table/m[noAttribution].wall.Seconds(),
			m[noAttribution].wall.Seconds()/m["lsns"].wall.Seconds(), m[noAttribution].wall.Seconds()/m["floor (C, 1 thread)"].wall.Seconds()),
		floorParallel:              fmt.Sprintf("nsview -o is %.2fx this", m[noAttribution].wall.Seconds()/m[floorParallel].wall.Seconds()),
		floorParallelCgroups:       fmt.Sprintf("nsview is %.2fx this", table/m[floorParallelCgroups].wall.Seconds()),
		"nsview --json":            fmt.Sprintf("%.2fx nsview", m["nsview --json"].wall.Seconds()/table),
		"nsview -t pid":            fmt.Sprintf("%.2fx nsview", m["nsview -t pid"].wall.Seconds()/table),
		"nsview --tree":            fmt.Sprintf("%.2fx nsview", m["nsview --tree"].wall.Seconds()/table),
		"nsview -pid P -o ns,type": "",
	}
	for _, c := range cmds {
		r := m[c.name]
		fmt.Printf("%-30s %10.1f ms %8.1f MiB  %s\n", c.name, float64(r.wall.Microseconds())/1000, float64(r.maxRSS)/1024, ratio[c.name])
	}
}

// agree compares "INODE TYPE NPROCS" from the three tools, for the
// namespaces that have processes: lsns 2.38 and the floor find namespaces
// only through processes, while nsview also lists those that bind mounts
// hold; it reports how many of those there are, and fails when there are
// fewer than held, the number the population made. Namespaces that this
// harness is in are left out: the tools run one after another, and each
// counts itself and whatever else the harness has started.
func agree(nsview, floor string, held int) error {
	own := map[string]bool{}
	for _, t := range []string{"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"} {
		if target, err := os.Readlink("/proc/self/ns/" + t); err == nil {
			own[strings.TrimSuffix(strings.TrimPrefix(target, t+":["), "]")] = true
		}
	}
	outputs := map[string][]string{}
	var withoutProcs int
	for name, argv := range map[string][]string{
		"nsview":      {nsview, "-o", "ns,type,nprocs", "--no-headings"},
		"lsns":        {"lsns", "-o", "NS,TYPE,NPROCS", "--noheadings"},
		"floor":       {floor},
		floorParallel: {floor, "-r", "-j", fmt.Sprint(runtime.NumCPU())},
	} {
		out, err := exec.Command(argv[0], argv[1:]...).Output()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		var rows []string
		for sc := bufio.NewScanner(bytes.NewReader(out)); sc.Scan(); {
			f := strings.Fields(sc.Text())
			switch {
			case len(f) != 3 || own[f[0]]:
			case f[2] == "0":
				withoutProcs++
			default:
				rows = append(rows, strings.Join(f, " "))
			}
		}
		slices.Sort(rows)
		outputs[name] = rows
	}
	for _, other := range []string{"lsns", "floor", floorParallel} {
		if !slices.Equal(outputs["nsview"], outputs[other]) {
			return fmt.Errorf("nsview and %s differ (%d vs %d namespaces with processes; only nsview: %s; only %s: %s)", other,
				len(outputs["nsview"]), len(outputs[other]), firstMissing(outputs["nsview"], outputs[other]), other, firstMissing(outputs[other], outputs["nsview"]))
		}
	}
	fmt.Printf("agreement: nsview, lsns and both floors list the same %d namespaces with the same NPROCS (%d more shared with the harness not compared); nsview lists %d more without processes\n",
		len(outputs["nsview"]), len(own), withoutProcs)
	if withoutProcs < held {
		return fmt.Errorf("nsview lists %d namespaces without processes, but the population holds %d by bind mounts alone", withoutProcs, held)
	}
	return nil
}

// firstMissing returns up to three rows of a that b lacks.
func firstMissing(a, b []string) string {
	var missing []string
	for _, row := range a {
		if _, found := slices.BinarySearch(b, row); !found && len(missing) < 3 {
			missing = append(missing, row)
		}
	}
	return strings.Join(missing, ", ")
}
