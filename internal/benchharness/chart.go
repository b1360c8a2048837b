package benchharness

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Point is one median of a series: x is the PR size in changed lines.
type Point struct{ X, Y float64 }

// Series is one line of a chart.
type Series struct {
	Name   string
	Points []Point
}

// ErrNoPoints is WriteChart's answer when no series has a point a log axis
// can show.
var ErrNoPoints = errors.New("no point above zero to draw")

// WriteChart draws the series as lines with points into path as SVG, both
// axes logarithmic: sizes span 60 to 100k lines, tokens 1k to 2M, and a
// doubling should look the same everywhere (a straight line of slope 1 is
// linear growth). A log axis cannot show zero or less, so such points are
// left out, and so are series left without points; with none at all the
// answer is ErrNoPoints and nothing is written.
func WriteChart(path, title, xLabel, yLabel string, series ...Series) error {
	series = drawable(series)
	if len(series) == 0 {
		return fmt.Errorf("chart %s: %w", title, ErrNoPoints)
	}
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xLabel+" (log)", yLabel+" (log)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = oneTwoFive{}, oneTwoFive{}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Millimeter*3, -vg.Millimeter*2
	p.Add(plotter.NewGrid())
	for i, s := range series {
		xys := make(plotter.XYs, len(s.Points))
		for j, pt := range s.Points {
			xys[j] = plotter.XY{X: pt.X, Y: pt.Y}
		}
		l, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return fmt.Errorf("chart %s: %w", title, err)
		}
		l.Color, pts.Color = plotutil.Color(i), plotutil.Color(i)
		pts.Shape = draw.CircleGlyph{}
		p.Add(l, pts)
		p.Legend.Add(s.Name, l, pts)
	}
	c := vgsvg.New(16*vg.Centimeter, 10*vg.Centimeter)
	p.Draw(draw.New(c))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("chart %s: %w", title, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("chart %s: %w", title, err)
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("chart %s: %w", title, err)
	}
	return f.Close()
}

// drawable keeps the points with both coordinates above zero, and the
// series that still have one.
func drawable(series []Series) []Series {
	var out []Series
	for _, s := range series {
		var pts []Point
		for _, pt := range s.Points {
			if pt.X > 0 && pt.Y > 0 {
				pts = append(pts, pt)
			}
		}
		if len(pts) > 0 {
			out = append(out, Series{Name: s.Name, Points: pts})
		}
	}
	return out
}

// oneTwoFive labels 1, 2, 5, 10, 20, 50… within the axis range: log axes
// spanning one or two decades otherwise get a single label.
type oneTwoFive struct{}

func (oneTwoFive) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v >= lo && v <= hi {
				ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
			}
		}
	}
	return ts
}
