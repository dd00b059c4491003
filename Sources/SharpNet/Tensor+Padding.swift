extension Tensor {
    /// This [C, H, W] tensor extended on the bottom and right to multiples of `multiple` by
    /// reflection without repeating the edge (OpenCV BORDER_REFLECT_101, numpy "reflect").
    public func reflectPadded(toMultipleOf multiple: Int) -> Tensor {
        let h = height, w = width
        let ph = (h + multiple - 1) / multiple * multiple, pw = (w + multiple - 1) / multiple * multiple
        if ph == h && pw == w { return self }
        func reflect(_ i: Int, _ n: Int) -> Int {
            if n == 1 { return 0 }
            var i = i
            while i < 0 || i >= n { i = i < 0 ? -i : 2 * (n - 1) - i }
            return i
        }
        var out = Tensor(zeros: [channels, ph, pw])
        for c in 0..<channels {
            for y in 0..<ph { for x in 0..<pw { out[c, y, x] = self[c, reflect(y, h), reflect(x, w)] } }
        }
        return out
    }

    /// The top-left `height` × `width` part.
    public func cropped(height h: Int, width w: Int) -> Tensor {
        if h == height && w == width { return self }
        var out = Tensor(zeros: [channels, h, w])
        for c in 0..<channels { for y in 0..<h { for x in 0..<w { out[c, y, x] = self[c, y, x] } } }
        return out
    }
}
