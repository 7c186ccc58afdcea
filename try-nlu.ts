import { recognizedOrdinal, recognizedYesNo } from './src/nlu/recognizers.js';
import { parseYesNo } from './src/nlu/yesno.js';
for (const [t,l] of [['yeah sure','en'],['👍','en'],['👎','en'],['sí','es'],['nop','es'],['no, no lo abrí','es'],['yes and the box is crushed','en'],['yup yup','en'],['of course','en'],['definitely','en'],['claro que sí','es'],['por supuesto','es'],['ok','en'],['nah mate','en'],['yes pls','en'],['si claro','es'],['👌','en'],['✅','en']] as const) console.log(t, recognizedYesNo(t,l), parseYesNo(t,l));
for (const [t,l] of [['the second one','en'],['el segundo','es'],['third','en'],['the last one','en'],['la tercera','es'],['2nd','en']] as const) console.log(t, recognizedOrdinal(t,l));
