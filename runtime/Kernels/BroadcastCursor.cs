namespace DyCompile.Runtime;

/// <summary>Walks the output of a broadcast elementwise op of up to three operands as a
/// sequence of contiguous rows. Within a row every operand advances by stride 1 (it varies
/// along the row) or 0 (it is broadcast along the row); between rows an odometer over the
/// remaining dimensions moves each operand's offset.</summary>
/// <remarks>Dimensions of size 1 are dropped and adjacent dimensions that every operand walks
/// contiguously are merged first, so same-shape operands, a scalar operand and a row vector
/// broadcast over rows all become a few long rows — the shape the vectorized span primitives
/// want. The cursor lives in caller-provided scratch (usually <c>stackalloc</c>), so walking
/// allocates nothing.</remarks>
internal ref struct BroadcastCursor
{
    public const int MaxOperands = 3;

    private readonly Span<int> _sizes;
    private readonly Span<int> _strides; // operand-major: [operand * _rank + dim]
    private readonly Span<int> _counters;
    private readonly Span<int> _offsets;
    private readonly int _rank;
    private readonly int _operands;

    /// <summary>Scratch elements needed for an output of rank <paramref name="rank"/>.</summary>
    public static int ScratchLength(int rank) => (rank + 1) * (MaxOperands + 2) + MaxOperands;

    /// <summary>Scratch that fits in a <c>stackalloc</c> for ranks up to this.</summary>
    public const int StackRankLimit = 12;

    public BroadcastCursor(Span<int> scratch, ReadOnlySpan<int> outShape, ReadOnlySpan<int> shape0, ReadOnlySpan<int> shape1, ReadOnlySpan<int> shape2, int operands)
    {
        var maxRank = outShape.Length;
        _operands = operands;
        _sizes = scratch[..maxRank];
        _strides = scratch.Slice(maxRank, maxRank * MaxOperands);
        _counters = scratch.Slice(maxRank * (MaxOperands + 1), maxRank);
        _offsets = scratch.Slice(maxRank * (MaxOperands + 2), MaxOperands);
        _offsets.Clear();
        _counters.Clear();
        InnerStride0 = InnerStride1 = InnerStride2 = 0;
        RowCount = Shapes.ElementCount(outShape) == 0 ? 0 : 1;

        // Walk dimensions from the innermost outwards, dropping size-1 output dimensions and
        // merging a dimension into the group inside it when every operand steps through both
        // as one contiguous run (a broadcast operand has stride 0 in both, which also merges).
        Span<int> own = stackalloc int[MaxOperands];   // each operand's contiguous stride so far
        Span<int> groupStride = stackalloc int[MaxOperands];
        Span<int> stride = stackalloc int[MaxOperands];
        own.Fill(1);
        var groups = 0;          // completed groups, stored innermost-first
        var groupSize = 0;       // 0: no open group
        for (var d = maxRank - 1; d >= 0; d--)
        {
            var size = outShape[d];
            for (var op = 0; op < operands; op++)
            {
                var shape = op == 0 ? shape0 : op == 1 ? shape1 : shape2;
                var od = d - (maxRank - shape.Length);
                var operandSize = od >= 0 ? shape[od] : 1;
                stride[op] = operandSize == 1 ? 0 : own[op];
                own[op] *= operandSize;
            }
            if (size == 1) continue;
            if (groupSize != 0)
            {
                var merges = true;
                for (var op = 0; op < operands; op++)
                    merges &= stride[op] == groupStride[op] * groupSize;
                if (merges)
                {
                    groupSize *= size;
                    continue;
                }
                CloseGroup(groups++, groupSize, groupStride);
            }
            groupSize = size;
            stride[..operands].CopyTo(groupStride);
        }
        if (groupSize != 0) CloseGroup(groups++, groupSize, groupStride);

        // Group 0 (innermost) is the row; the rest, reversed into outermost-first order, is
        // the odometer.
        if (groups == 0)
        {
            InnerLength = 1;
            _rank = 0;
        }
        else
        {
            InnerLength = _sizes[0];
            InnerStride0 = _strides[0];
            InnerStride1 = operands > 1 ? _strides[maxRank] : 0;
            InnerStride2 = operands > 2 ? _strides[2 * maxRank] : 0;
            _rank = groups - 1;
            for (var g = 1; g < groups; g++) RowCount *= _sizes[g];
            // Re-pack the outer groups contiguously as [operand * _rank + k], outermost first.
            Span<int> packed = stackalloc int[_rank * (MaxOperands + 1)];
            for (var k = 0; k < _rank; k++)
            {
                var g = groups - 1 - k;
                packed[k] = _sizes[g];
                for (var op = 0; op < operands; op++)
                    packed[_rank + op * _rank + k] = _strides[op * maxRank + g];
            }
            packed[.._rank].CopyTo(_sizes);
            packed.Slice(_rank, _rank * operands).CopyTo(_strides);
        }
    }

    private readonly void CloseGroup(int index, int size, ReadOnlySpan<int> stride)
    {
        _sizes[index] = size;
        for (var op = 0; op < _operands; op++)
            _strides[op * _sizes.Length + index] = stride[op];
    }

    /// <summary>Number of rows; 0 when the output is empty.</summary>
    public int RowCount { get; }

    /// <summary>Elements per row (the output row is contiguous).</summary>
    public int InnerLength { get; }

    public int InnerStride0 { get; }

    public int InnerStride1 { get; }

    public int InnerStride2 { get; }

    public readonly int Offset0 => _offsets[0];

    public readonly int Offset1 => _offsets[1];

    public readonly int Offset2 => _offsets[2];

    /// <summary>Moves every operand's offset to the start of the next row.</summary>
    public void NextRow()
    {
        for (var k = _rank - 1; k >= 0; k--)
        {
            for (var op = 0; op < _operands; op++) _offsets[op] += _strides[op * _rank + k];
            if (++_counters[k] < _sizes[k]) return;
            for (var op = 0; op < _operands; op++) _offsets[op] -= _strides[op * _rank + k] * _sizes[k];
            _counters[k] = 0;
        }
    }
}
