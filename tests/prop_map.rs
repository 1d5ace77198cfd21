//! Property tests: every map equals ndarray's sequential map exactly, on
//! random shapes, every layout (inputs and outputs may differ), several
//! element types and thread counts 1, 2, 3, 4, 7, 16.

use crate::common::*;
use ndarray::{ArrayD, IxDyn, Zip};
use ndpar::prelude::*;
use proptest::prelude::*;

fn pair<T: Clone + std::fmt::Debug>(
    elem: impl Strategy<Value = T> + Clone + 'static,
) -> impl Strategy<Value = (Case<T>, Case<T>)> {
    shape().prop_flat_map(move |s| {
        (
            case_with(s.clone(), kind(), elem.clone()),
            case_with(s, kind(), elem.clone()),
        )
    })
}

fn triple() -> impl Strategy<Value = (Case<i64>, Case<i64>, Case<i64>)> {
    shape().prop_flat_map(|s| {
        (
            case_with(s.clone(), kind(), i64_any()),
            case_with(s.clone(), kind(), i64_any()),
            case_with(s, kind(), i64_any()),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn map_and_mapv_equal_sequential(c in case(f64_with_nan()), p in params()) {
        let v = c.view();
        let expected = v.mapv(|x| (x * 3.0).to_bits());
        for t in THREADS {
            let got = on(t, p, || v.par_mapv(|x| (x * 3.0).to_bits()));
            prop_assert_eq!(&got, &expected);
            let got = on(t, p, || v.par_map(|x| x.to_string()));
            prop_assert_eq!(got, v.map(|x| x.to_string()));
        }
    }

    #[test]
    fn slice_maps_equal_element_maps(c in case(f64_with_nan()), p in params()) {
        // The vectorised functions see runs whose starts and lengths depend
        // on layout and split; each value's result must not.
        let v = c.view();
        let f = |v: ndpar::vmath::F64x64| ndpar::vmath::exp(v) * ndpar::vmath::sin(v) + v;
        let one = |x: f64| {
            let mut y = [0.0];
            ndpar::vmath::map(&[x], &mut y, f);
            y[0].to_bits()
        };
        let expected = v.mapv(one);
        for t in THREADS {
            let got = on(t, p, || v.par_map_slices(|x, out| ndpar::vmath::map(x, out, f)));
            prop_assert_eq!(got.mapv(f64::to_bits), expected.clone());
            let plain = v.par_mapv(|x| x);
            prop_assert_eq!(got.strides(), plain.strides(), "the memory order of par_mapv");
            let mut inplace = v.to_owned();
            on(t, p, || inplace.par_map_slices_inplace(|x| ndpar::vmath::map_inplace(x, f)));
            prop_assert_eq!(inplace.mapv(f64::to_bits), expected.clone());
        }
    }

    #[test]
    fn map_keeps_the_memory_order_of_contiguous_inputs(c in case(i64_any()), p in params()) {
        let v = c.view();
        let out = on(4, p, || v.par_mapv(|x| x.wrapping_add(1)));
        prop_assert_eq!(&out, &v.mapv(|x| x.wrapping_add(1)));
        if v.is_standard_layout() {
            prop_assert!(out.is_standard_layout());
        }
        if v.t().is_standard_layout() {
            prop_assert!(out.t().is_standard_layout());
        }
        prop_assert!(out.as_slice_memory_order().is_some(), "results are always contiguous");
    }

    #[test]
    fn zip_map_mixed_layouts((a, b) in pair(i64_any()), p in params()) {
        let (va, vb) = (a.view(), b.view());
        let expected = Zip::from(&va).and(&vb).map_collect(|&x, &y| x.wrapping_mul(3).wrapping_sub(y));
        for t in THREADS {
            let got = on(t, p, || va.par_zip_map(&vb, |&x, &y| x.wrapping_mul(3).wrapping_sub(y)));
            prop_assert_eq!(&got, &expected);
        }
    }

    #[test]
    fn zip3_map_mixed_layouts((a, b, c) in triple(), p in params()) {
        let (va, vb, vc) = (a.view(), b.view(), c.view());
        let expected = Zip::from(&va).and(&vb).and(&vc).map_collect(|&x, &y, &z| x ^ y.rotate_left(3) ^ z.rotate_left(7));
        for t in THREADS {
            let got = on(t, p, || va.par_zip3_map(&vb, &vc, |&x, &y, &z| x ^ y.rotate_left(3) ^ z.rotate_left(7)));
            prop_assert_eq!(&got, &expected);
        }
    }

    #[test]
    fn in_place_maps(c in shape().prop_flat_map(|s| case_with(s, writable_kind(), i64_any())), p in params()) {
        let mut expected = c.clone();
        expected.view_mut().map_inplace(|x| *x = x.wrapping_mul(5) ^ 1);
        for t in THREADS {
            let mut got = c.clone();
            on(t, p, || got.view_mut().par_map_inplace(|x| *x = x.wrapping_mul(5) ^ 1));
            prop_assert_eq!(&got.base, &expected.base, "untouched elements stay, touched ones match");
            let mut got = c.clone();
            on(t, p, || got.view_mut().par_mapv_inplace(|x| x.wrapping_mul(5) ^ 1));
            prop_assert_eq!(&got.base, &expected.base);
        }
    }

    #[test]
    fn zip_mut_with_mixed_layouts(
        (out, rhs) in shape().prop_flat_map(|s| (case_with(s.clone(), writable_kind(), i64_any()), case_with(s, kind(), i64_any()))),
        p in params(),
    ) {
        let mut expected = out.clone();
        expected.view_mut().zip_mut_with(&rhs.view(), |o, &r| *o = o.wrapping_sub(r));
        for t in THREADS {
            let mut got = out.clone();
            on(t, p, || got.view_mut().par_zip_mut_with(&rhs.view(), |o, &r| *o = o.wrapping_sub(r)));
            prop_assert_eq!(&got.base, &expected.base);
        }
    }

    #[test]
    fn zip3_mut_with_mixed_layouts(
        (out, b, c) in shape().prop_flat_map(|s| (
            case_with(s.clone(), writable_kind(), i64_any()),
            case_with(s.clone(), kind(), i64_any()),
            case_with(s, kind(), i64_any()),
        )),
        p in params(),
    ) {
        let mut expected = out.clone();
        Zip::from(expected.view_mut()).and(&b.view()).and(&c.view()).for_each(|o, &x, &y| *o = x.wrapping_add(y.wrapping_mul(3)));
        for t in THREADS {
            let mut got = out.clone();
            on(t, p, || got.view_mut().par_zip3_mut_with(&b.view(), &c.view(), |o, &x, &y| *o = x.wrapping_add(y.wrapping_mul(3))));
            prop_assert_eq!(&got.base, &expected.base);
        }
    }

    #[test]
    fn zip_mut_with_broadcasts_the_right_hand_side(
        (out, row) in shape().prop_flat_map(|s| {
            let last = *s.last().unwrap();
            (case_with(s, writable_kind(), i64_any()), prop::collection::vec(i64_any(), last))
        }),
        p in params(),
    ) {
        let row = ndarray::Array1::from(row);
        let mut expected = out.clone();
        expected.view_mut().zip_mut_with(&row, |o, &r| *o = o.wrapping_add(r));
        let mut got = out.clone();
        on(3, p, || got.view_mut().par_zip_mut_with(&row, |o, &r| *o = o.wrapping_add(r)));
        prop_assert_eq!(got.base, expected.base);
    }

    #[test]
    fn mapv_into_reuses_the_buffer(s in shape(), data in prop::collection::vec(i64_any(), 4000), p in params()) {
        let n: usize = s.iter().product();
        let a = ArrayD::from_shape_vec(IxDyn(&s), data[..n].to_vec()).unwrap();
        let expected = a.mapv(|x| x.wrapping_neg());
        let ptr = a.as_ptr();
        let got = on(7, p, || a.par_mapv_into(|x| x.wrapping_neg()));
        prop_assert_eq!(got.as_ptr(), ptr);
        prop_assert_eq!(got, expected);
    }
}
