package org.modutils.insmod.modern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The kernel's parse_args splits at blanks outside double quotes and strips the quotes. */
class ParamStringTest {
    @Test
    void joinsWithSpacesAndQuotesValuesWithBlanks() throws Exception {
        assertEquals("count=3 name=\"two words\" nums=1,-2,3",
                ParamString.join(List.of("count=3", "name=two words", "nums=1,-2,3")));
    }

    @Test
    void keepsTheUsersDoubleQuotesAndBareFlags() throws Exception {
        assertEquals("name=\"a b\" debug", ParamString.join(List.of("name=\"a b\"", "debug")));
        assertEquals("name=\"'a b'\"", ParamString.join(List.of("name='a b'")));
        assertEquals("", ParamString.join(List.of()));
    }

    @Test
    void refusesWhatTheKernelCannotParse() {
        assertThrows(ParamString.BadParameterException.class, () -> ParamString.join(List.of("name=say \"hi\" now")));
    }
}
