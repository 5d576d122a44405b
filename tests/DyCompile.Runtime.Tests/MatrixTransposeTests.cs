namespace DyCompile.Runtime.Tests;

/// <summary>The batched transpose of the last two dims (8 × 8 register tiles and ragged edges)
/// against index arithmetic.</summary>
public class MatrixTransposeTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 7, 9)]
    [InlineData(3, 8, 8)]
    [InlineData(4, 128, 64)]
    [InlineData(2, 17, 30)]
    [InlineData(1, 0, 5)]
    public void SwapLastTwoMatchesIndexArithmeticOnBothPaths(int batch, int rows, int cols)
    {
        var source = DenseReference.Random(batch * rows * cols, batch + rows + cols);
        foreach (var vector in new[] { true, false })
        {
            var destination = new float[source.Length];
            MatrixTranspose.SwapLastTwo(source, destination, batch, rows, cols, vector);
            for (var b = 0; b < batch; b++)
                for (var i = 0; i < rows; i++)
                    for (var j = 0; j < cols; j++)
                        Assert.Equal(source[b * rows * cols + i * cols + j], destination[b * rows * cols + j * rows + i]);
        }
        if (source.Length > 0)
            Assert.Throws<ArgumentException>(() => MatrixTranspose.SwapLastTwo(source, new float[source.Length - 1], batch, rows, cols));
    }

    [Fact]
    public void EagerTransposeOfTheLastTwoDimsMovesEveryElement()
    {
        var x = DenseReference.RandomTensor(3, 2, 3, 11, 9);
        var y = TensorOps.Transpose(x, -1, -2);
        Assert.Equal([2, 3, 9, 11], y.ShapeArray());
        for (var a = 0; a < 2; a++)
            for (var b = 0; b < 3; b++)
                for (var i = 0; i < 11; i++)
                    for (var j = 0; j < 9; j++)
                        Assert.Equal(x.Floats[((a * 3 + b) * 11 + i) * 9 + j], y.Floats[((a * 3 + b) * 9 + j) * 11 + i]);
        Assert.Equal(y.Floats.ToArray(), TensorOps.Permute(x, [0, 1, 3, 2]).Floats.ToArray());
    }
}
