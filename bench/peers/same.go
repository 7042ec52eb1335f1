package main

import (
	"fmt"
	"reflect"
	"time"
)

var timeType = reflect.TypeFor[time.Time]()

// sameShape reports how the types m (a model type) and p (its plain twin)
// differ: they must have the same kinds, and structs the same fields in the
// same order with the same names and JSON tags. time.Time must be time.Time
// on both sides.
func sameShape(path string, m, p reflect.Type) error {
	if (m == timeType) != (p == timeType) {
		return fmt.Errorf("%s: %v against %v", path, m, p)
	}
	if m == timeType {
		return nil
	}
	if m.Kind() != p.Kind() {
		return fmt.Errorf("%s: kind %v against %v", path, m.Kind(), p.Kind())
	}
	switch m.Kind() {
	case reflect.Pointer, reflect.Slice:
		return sameShape(path+"[]", m.Elem(), p.Elem())
	case reflect.Struct:
		if m.NumField() != p.NumField() {
			return fmt.Errorf("%s: %d fields against %d", path, m.NumField(), p.NumField())
		}
		for i := range m.NumField() {
			mf, pf := m.Field(i), p.Field(i)
			if mf.Name != pf.Name || mf.Tag.Get("json") != pf.Tag.Get("json") {
				return fmt.Errorf("%s: field %s `json:%q` against %s `json:%q`", path, mf.Name, mf.Tag.Get("json"), pf.Name, pf.Tag.Get("json"))
			}
			if err := sameShape(path+"."+mf.Name, mf.Type, pf.Type); err != nil {
				return err
			}
		}
	case reflect.Map:
		if err := sameShape(path+"{key}", m.Key(), p.Key()); err != nil {
			return err
		}
		return sameShape(path+"{}", m.Elem(), p.Elem())
	case reflect.Array, reflect.Interface, reflect.Chan, reflect.Func:
		return fmt.Errorf("%s: kind %v is not handled by bench/peers", path, m.Kind())
	}
	return nil
}

// sameValue reports how m (a model value) and p (a plain value of the same
// shape) differ.
func sameValue(path string, m, p reflect.Value) error {
	if m.Type() == timeType {
		if !m.Interface().(time.Time).Equal(p.Interface().(time.Time)) {
			return fmt.Errorf("%s: %v against %v", path, m.Interface(), p.Interface())
		}
		return nil
	}
	switch m.Kind() {
	case reflect.Pointer:
		if m.IsNil() || p.IsNil() {
			if m.IsNil() != p.IsNil() {
				return fmt.Errorf("%s: nil %v against nil %v", path, m.IsNil(), p.IsNil())
			}
			return nil
		}
		return sameValue(path, m.Elem(), p.Elem())
	case reflect.Slice:
		if m.Len() != p.Len() {
			return fmt.Errorf("%s: %d items against %d", path, m.Len(), p.Len())
		}
		for i := range m.Len() {
			if err := sameValue(fmt.Sprintf("%s[%d]", path, i), m.Index(i), p.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		if m.IsNil() != p.IsNil() || m.Len() != p.Len() {
			return fmt.Errorf("%s: nil %v, %d keys against nil %v, %d keys", path, m.IsNil(), m.Len(), p.IsNil(), p.Len())
		}
		for _, k := range m.MapKeys() {
			pv := p.MapIndex(k)
			if !pv.IsValid() {
				return fmt.Errorf("%s: key %q only in the model", path, k.String())
			}
			if err := sameValue(fmt.Sprintf("%s[%q]", path, k.String()), m.MapIndex(k), pv); err != nil {
				return err
			}
		}
	case reflect.Uint8:
		if m.Uint() != p.Uint() {
			return fmt.Errorf("%s: %d against %d", path, m.Uint(), p.Uint())
		}
	case reflect.Struct:
		for i := range m.NumField() {
			if err := sameValue(path+"."+m.Type().Field(i).Name, m.Field(i), p.Field(i)); err != nil {
				return err
			}
		}
	case reflect.String:
		if m.String() != p.String() {
			return fmt.Errorf("%s: %q against %q", path, m.String(), p.String())
		}
	case reflect.Int, reflect.Int64:
		if m.Int() != p.Int() {
			return fmt.Errorf("%s: %d against %d", path, m.Int(), p.Int())
		}
	case reflect.Float64:
		if m.Float() != p.Float() {
			return fmt.Errorf("%s: %v against %v", path, m.Float(), p.Float())
		}
	case reflect.Bool:
		if m.Bool() != p.Bool() {
			return fmt.Errorf("%s: %v against %v", path, m.Bool(), p.Bool())
		}
	default:
		return fmt.Errorf("%s: kind %v is not handled by bench/peers", path, m.Kind())
	}
	return nil
}
