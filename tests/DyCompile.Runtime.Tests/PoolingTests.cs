namespace DyCompile.Runtime.Tests;

public class PoolingTests
{
    // 4×4 plane 1..16.
    private static Tensor Plane4() => Tensor.FromArray(Enumerable.Range(1, 16).Select(i => (float)i).ToArray(), 1, 1, 4, 4);

    [Fact]
    public void MaxPoolHandComputed()
    {
        var y = TensorOps.MaxPool2d(Plane4(), [2], [], []);
        Assert.Equal(new[] { 1, 1, 2, 2 }, y.ShapeArray());
        Assert.Equal(new float[] { 6, 8, 14, 16 }, y.ToFloatArray());
    }

    [Fact]
    public void MaxPoolPaddingIsNegativeInfinity()
    {
        var negative = Tensor.FromArray(Enumerable.Range(1, 16).Select(i => -(float)i).ToArray(), 1, 4, 4);
        var y = TensorOps.MaxPool2d(negative, [3], [2], [1]);
        Assert.Equal(new[] { 1, 2, 2 }, y.ShapeArray());
        // Windows: rows/cols [-1..1] and [1..3]; the padding never wins over negative values,
        // so each output is the in-image value nearest the top-left.
        Assert.Equal(new float[] { -1, -2, -5, -6 }, y.ToFloatArray());
    }

    [Fact]
    public void AvgPoolCountsPaddingInTheDivisor()
    {
        var y = TensorOps.AvgPool2d(Plane4(), [3], [2], [1]);
        Assert.Equal(new[] { 1, 1, 2, 2 }, y.ShapeArray());
        // Top-left window covers rows/cols 0..1 inside the image: (1+2+5+6)/9; top-right rows
        // 0..1, cols 1..3: (2+3+4+6+7+8)/9; bottom-left (5+6+9+10+13+14)/9; bottom-right is full.
        Assert.Equal(new float[] { 14f / 9, 30f / 9, 57f / 9, 99f / 9 }, y.ToFloatArray(), (a, b) => Math.Abs(a - b) < 1e-5f);
    }

    [Fact]
    public void RectangularKernelAndStride()
    {
        var y = TensorOps.AvgPool2d(Plane4(), [1, 2], [1, 2], [0]);
        Assert.Equal(new[] { 1, 1, 4, 2 }, y.ShapeArray());
        Assert.Equal(new float[] { 1.5f, 3.5f, 5.5f, 7.5f, 9.5f, 11.5f, 13.5f, 15.5f }, y.ToFloatArray());
    }

    [Fact]
    public void ManyPlanesMatchPerPlaneComputation()
    {
        // Large enough (2 × 37 planes of 61 × 61) to run ranges of planes on several cores; max and
        // average pool against a direct loop.
        const int planes = 74, side = 61, outSide = 31;
        var x = DenseReference.RandomTensor(9, 2, 37, side, side);
        var max = TensorOps.MaxPool2d(x, [3], [2], [1]);
        var avg = TensorOps.AvgPool2d(x, [3], [2], [1]);
        Assert.Equal(new[] { 2, 37, outSide, outSide }, max.ShapeArray());
        var data = x.Floats;
        for (var p = 0; p < planes; p++)
            for (var oy = 0; oy < outSide; oy++)
                for (var ox = 0; ox < outSide; ox++)
                {
                    var best = float.NegativeInfinity;
                    var sum = 0.0;
                    for (var dy = 0; dy < 3; dy++)
                        for (var dx = 0; dx < 3; dx++)
                        {
                            int iy = oy * 2 - 1 + dy, ix = ox * 2 - 1 + dx;
                            if (iy is < 0 or >= side || ix is < 0 or >= side) continue;
                            var v = data[p * side * side + iy * side + ix];
                            best = Math.Max(best, v);
                            sum += v;
                        }
                    var at = p * outSide * outSide + oy * outSide + ox;
                    Assert.Equal(best, max.Floats[at]);
                    Assert.True(Math.Abs(sum / 9 - avg.Floats[at]) <= 1e-6, $"avg at {at}: {avg.Floats[at]} vs {sum / 9}");
                }
    }

    [Theory]
    [InlineData(32, 32)] // whole vectors of 8 outputs
    [InlineData(7, 33)]  // 16 outputs from 33 columns: two vectors, the last column unused
    [InlineData(6, 21)]  // one vector and 2 outputs in the scalar tail
    [InlineData(4, 8)]   // 4 outputs: no whole vector
    [InlineData(4, 12)]  // rows of 12: an 8-float and a 4-float vector per row pass
    [InlineData(6, 4)]   // rows of 4 (a 4×4 plane's pooling to 2×2)
    public void TwoByTwoPoolingMatchesTheWindowsIncludingNaNAndSignedZero(int height, int width)
    {
        // The 2-wide stride-2 windows take a vector path: NaN in a left and in a right column, and
        // +0 beside −0 (the left one wins a tie, as the scalar loop keeps it).
        var x = DenseReference.RandomTensor(5, 1, 3, height, width);
        var data = x.Floats;
        data[1] = float.NaN;
        data[width + 2] = float.NaN;
        data[2 * width + 4] = 0f;
        data[2 * width + 5] = -0f;
        data[3 * width + 4] = -0.5f;
        data[3 * width + 5] = -0.5f;
        data[height * width + 7] = float.NaN;
        var max = TensorOps.MaxPool2d(x, [2], [2], [0]);
        var avg = TensorOps.AvgPool2d(x, [2], [2], [0]);
        var cells = x.ToFloatArray();
        int outH = height / 2, outW = width / 2;
        for (var p = 0; p < 3; p++)
            for (var oy = 0; oy < outH; oy++)
                for (var ox = 0; ox < outW; ox++)
                {
                    var best = float.NegativeInfinity;
                    float Cell(int dy, int dx) => cells[p * height * width + (2 * oy + dy) * width + 2 * ox + dx];
                    foreach (var (dy, dx) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) })
                        if (Cell(dy, dx) > best || float.IsNaN(Cell(dy, dx))) best = Cell(dy, dx);
                    // Rows are added first, then the two columns: the same roundings as the kernel.
                    var average = (Cell(0, 0) + Cell(1, 0) + (Cell(0, 1) + Cell(1, 1))) / 4;
                    var at = (p * outH + oy) * outW + ox;
                    Assert.Equal(float.IsNaN(best), float.IsNaN(max.Floats[at]));
                    if (!float.IsNaN(best)) Assert.Equal(BitConverter.SingleToInt32Bits(best), BitConverter.SingleToInt32Bits(max.Floats[at]));
                    Assert.Equal(float.IsNaN(average), float.IsNaN(avg.Floats[at]));
                    if (!float.IsNaN(average)) Assert.Equal(average, avg.Floats[at]);
                }
    }

    [Theory]
    [InlineData(8, 32)] // the internal classifiers' 8×8 windows: 32×32 → 4×4
    [InlineData(4, 8)]  // 8×8 → 2×2 from 4-wide windows
    [InlineData(3, 9)]
    public void WideWindowsKeepTheFirstMaximumAndPropagateNaN(int window, int side)
    {
        // Windows narrower than 16 columns are reduced without branches; the result must still be
        // the sequential one: the first of equal maxima (+0 before −0 stays +0, −0 before +0 stays
        // −0) and NaN wherever the window holds one.
        var x = DenseReference.RandomTensor(9, 1, 4, side, side);
        var data = x.Floats;
        data[window + 1] = float.NaN;                  // plane 0, window (0, 1), first row
        data[(window - 1) * side + 2 * window] = float.NaN; // plane 0, window (0, 2), last row
        for (var i = 0; i < window * window; i++)
        {
            // Plane 1, window (0, 0): all −1 but a −0 then a +0; window (0, 1): +0 then −0.
            var (dy, dx) = (i / window, i % window);
            data[side * side + dy * side + dx] = i == 1 ? -0f : i == 2 ? 0f : -1f;
            data[side * side + dy * side + window + dx] = i == 1 ? 0f : i == 2 ? -0f : -1f;
        }
        var max = TensorOps.MaxPool2d(x, [window], [window], [0]);
        var avg = TensorOps.AvgPool2d(x, [window], [window], [0]);
        var cells = x.ToFloatArray();
        var outSide = side / window;
        for (var p = 0; p < 4; p++)
            for (var oy = 0; oy < outSide; oy++)
                for (var ox = 0; ox < outSide; ox++)
                {
                    var best = float.NegativeInfinity;
                    var sum = 0.0;
                    for (var dy = 0; dy < window; dy++)
                        for (var dx = 0; dx < window; dx++)
                        {
                            var cell = cells[(p * side + oy * window + dy) * side + ox * window + dx];
                            if (cell > best || float.IsNaN(cell)) best = cell;
                            sum += cell;
                        }
                    var at = (p * outSide + oy) * outSide + ox;
                    Assert.True(float.IsNaN(best) == float.IsNaN(max.Floats[at]), $"plane {p}, ({oy}, {ox}): {max.Floats[at]}, expected {best}");
                    if (!float.IsNaN(best)) Assert.Equal(BitConverter.SingleToInt32Bits(best), BitConverter.SingleToInt32Bits(max.Floats[at]));
                    var average = sum / (window * window);
                    if (double.IsNaN(average)) Assert.True(float.IsNaN(avg.Floats[at]));
                    else Assert.Equal(average, avg.Floats[at], 1e-5);
                }
        Assert.True(float.IsNaN(max.Floats[1]) && float.IsNaN(max.Floats[2]));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(max.Floats[outSide * outSide]));
        Assert.Equal(BitConverter.SingleToInt32Bits(0f), BitConverter.SingleToInt32Bits(max.Floats[outSide * outSide + 1]));
    }

    [Fact]
    public void MaxPoolPropagatesNaNFromAnyRowAndColumnOfTheWindow()
    {
        // Width 21: two 8-float vectors and a scalar tail per row; NaNs in the second and third row
        // of a window (reduced into the first), in a vector lane and in the tail, and one in the first row.
        var x = DenseReference.RandomTensor(3, 1, 1, 6, 21);
        var data = x.Floats;
        data[1 * 21 + 4] = float.NaN;  // window (0, 1), vector part, second row
        data[2 * 21 + 19] = float.NaN; // window (0, 6), tail, third row
        data[3 * 21 + 9] = float.NaN;  // window (1, 3), first row
        var y = TensorOps.MaxPool2d(x, [3], [3], [0]);
        Assert.Equal(new[] { 1, 1, 2, 7 }, y.ShapeArray());
        for (var oy = 0; oy < 2; oy++)
            for (var ox = 0; ox < 7; ox++)
            {
                var nan = (oy, ox) is (0, 1) or (0, 6) or (1, 3);
                var value = y.Floats[oy * 7 + ox];
                Assert.True(nan == float.IsNaN(value), $"output ({oy}, {ox}) = {value}");
                if (nan) continue;
                var best = float.NegativeInfinity;
                for (var dy = 0; dy < 3; dy++)
                    for (var dx = 0; dx < 3; dx++) best = Math.Max(best, data[(oy * 3 + dy) * 21 + ox * 3 + dx]);
                Assert.Equal(best, value);
            }
    }

    [Fact]
    public void AdaptiveAvgPoolUsesFloorCeilWindows()
    {
        // 1×5 row to 3 outputs: windows [0,2), [1,4), [3,5) (start ⌊i·5/3⌋, end ⌈(i+1)·5/3⌉).
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5 }, 1, 1, 1, 5);
        var y = TensorOps.AdaptiveAvgPool2d(x, [1, 3]);
        Assert.Equal(new[] { 1, 1, 1, 3 }, y.ShapeArray());
        Assert.Equal(new float[] { 1.5f, 3f, 4.5f }, y.ToFloatArray());

        var max = TensorOps.AdaptiveMaxPool2d(x, [1, 3]);
        Assert.Equal(new float[] { 2, 4, 5 }, max.ToFloatArray());
    }

    [Fact]
    public void AdaptivePoolToOneIsGlobalAndToLargerRepeats()
    {
        var global = TensorOps.AdaptiveAvgPool2d(Plane4(), [1]);
        Assert.Equal(new[] { 1, 1, 1, 1 }, global.ShapeArray());
        Assert.Equal(8.5f, global.Item());

        // 2×2 to 3×3: windows [0,1), [0,2), [1,2) in each direction.
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 1, 2, 2);
        var up = TensorOps.AdaptiveMaxPool2d(x, [3, 3]);
        Assert.Equal(new float[] { 1, 2, 2, 3, 4, 4, 3, 4, 4 }, up.ToFloatArray());
    }

    [Fact]
    public void AdaptiveAvgPoolNonDivisibleMatchesDirectWindows()
    {
        var x = DenseReference.RandomTensor(4, 2, 3, 7, 10);
        var y = TensorOps.AdaptiveAvgPool2d(x, [3, 4]);
        Assert.Equal(new[] { 2, 3, 3, 4 }, y.ShapeArray());
        var data = x.Floats;
        for (var p = 0; p < 6; p++)
            for (var oy = 0; oy < 3; oy++)
                for (var ox = 0; ox < 4; ox++)
                {
                    int y0 = (int)Math.Floor(oy * 7 / 3.0), y1 = (int)Math.Ceiling((oy + 1) * 7 / 3.0);
                    int x0 = (int)Math.Floor(ox * 10 / 4.0), x1 = (int)Math.Ceiling((ox + 1) * 10 / 4.0);
                    double sum = 0;
                    for (var iy = y0; iy < y1; iy++)
                        for (var ix = x0; ix < x1; ix++) sum += data[p * 70 + iy * 10 + ix];
                    Assert.Equal(sum / ((y1 - y0) * (x1 - x0)), y.Floats[p * 12 + oy * 4 + ox], 1e-5);
                }
    }

    [Fact]
    public void ErrorsNameTheOpAndShape()
    {
        var rank = Assert.Throws<TensorOpException>(() => TensorOps.MaxPool2d(Tensor.Zeros(4, 4), [2], [], []));
        Assert.Equal("max_pool2d", rank.Op);
        Assert.Contains("[4, 4]", rank.Message);
        var pad = Assert.Throws<TensorOpException>(() => TensorOps.AvgPool2d(Tensor.Zeros(1, 1, 4, 4), [2], [1], [2]));
        Assert.Equal("avg_pool2d", pad.Op);
        Assert.Contains("[1, 1, 4, 4]", pad.Message);
        var adaptive = Assert.Throws<TensorOpException>(() => TensorOps.AdaptiveAvgPool2d(Tensor.Zeros(1, 1, 4, 4), [1, 2, 3]));
        Assert.Equal("adaptive_avg_pool2d", adaptive.Op);
    }
}
