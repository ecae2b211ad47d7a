<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES">
<context>
    <name>QCommandLineParser</name>
    <message>
        <source>Usage: %1</source>
        <translation>Uso: %1</translation>
    </message>
    <message>
        <source>[options]</source>
        <translation>[opciones]</translation>
    </message>
    <message>
        <source>Options:</source>
        <translation>Opciones:</translation>
    </message>
    <message>
        <source>Arguments:</source>
        <translation>Argumentos:</translation>
    </message>
    <message>
        <source>Displays help on commandline options.</source>
        <translation>Muestra la ayuda de las opciones de la línea de órdenes.</translation>
    </message>
    <message>
        <source>Displays help including Qt specific options.</source>
        <translation>Muestra la ayuda, incluidas las opciones propias de Qt.</translation>
    </message>
    <message>
        <source>Displays version information.</source>
        <translation>Muestra la información de la versión.</translation>
    </message>
    <message>
        <source>Missing value after &apos;%1&apos;.</source>
        <translation>Falta un valor después de «%1».</translation>
    </message>
    <message>
        <source>Unexpected value after &apos;%1&apos;.</source>
        <translation>Valor inesperado después de «%1».</translation>
    </message>
    <message>
        <source>Unknown option &apos;%1&apos;.</source>
        <translation>Opción desconocida «%1».</translation>
    </message>
    <message>
        <source>Unknown options: %1.</source>
        <translation>Opciones desconocidas: %1.</translation>
    </message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message>
        <source>OK</source>
        <translation>Aceptar</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Aplicar</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Sí</translation>
    </message>
    <message>
        <source>No</source>
        <translation>No</translation>
    </message>
    <message>
        <source>&amp;Yes</source>
        <translation>&amp;Sí</translation>
    </message>
    <message>
        <source>&amp;No</source>
        <translation>&amp;No</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>Ayuda</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Restablecer</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Descartar</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>Restore Defaults</source>
        <translation>Restaurar valores predeterminados</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Desktop video transcoder with a local worker farm.</source>
        <translation>Transcodificador de vídeo de escritorio con una granja de trabajadores local.</translation>
    </message>
    <message>
        <source>Videos or folders to queue with the current preset.</source>
        <translation>Vídeos o carpetas que poner en cola con el preajuste actual.</translation>
    </message>
    <message>
        <source>vtfarm</source>
        <translation>vtfarm</translation>
    </message>
    <message>
        <source>vtfarm is already running for this user.

%1</source>
        <translation>vtfarm ya se está ejecutando para este usuario.

%1</translation>
    </message>
    <message>
        <source>The job queue cannot be opened.

%1</source>
        <translation>No se puede abrir la cola de trabajos.

%1</translation>
    </message>
    <message>
        <source>The API server did not start: %1</source>
        <translation>El servidor de la API no se ha iniciado: %1</translation>
    </message>
    <message>
        <source>The job queue was damaged and has been recovered: 1 job saved.</source>
        <translation>La cola de trabajos estaba dañada y se ha recuperado: se ha salvado 1 trabajo.</translation>
    </message>
    <message>
        <source>The job queue was damaged and has been recovered: %1 jobs saved.</source>
        <translation>La cola de trabajos estaba dañada y se ha recuperado: se han salvado %1 trabajos.</translation>
    </message>
    <message>
        <source>The farm is off: it needs the API server, through which its nodes fetch and deliver files (Settings).</source>
        <translation>La granja está desactivada: necesita el servidor de la API, a través del cual sus nodos obtienen y entregan los archivos (Preferencias).</translation>
    </message>
    <message>
        <source>The farm is off: %1</source>
        <translation>La granja está desactivada: %1</translation>
    </message>
    <message>
        <source>The farm&apos;s Redis is back.</source>
        <translation>El Redis de la granja ha vuelto.</translation>
    </message>
    <message>
        <source>The farm cannot reach its Redis: %1</source>
        <translation>La granja no puede conectar con su Redis: %1</translation>
    </message>
    <message>
        <source>The farm did not start: %1</source>
        <translation>La granja no se ha iniciado: %1</translation>
    </message>
</context>
<context>
    <name>vtfarm::cli</name>
    <message>
        <source>Where the job queue is kept (default: the user&apos;s vtfarm data folder).</source>
        <translation>Dónde se guarda la cola de trabajos (predeterminado: la carpeta de datos de vtfarm del usuario).</translation>
    </message>
    <message>
        <source>How many transcodes run at once (default: what fills the cores).</source>
        <translation>Cuántas transcodificaciones se ejecutan a la vez (predeterminado: las que llenan los núcleos).</translation>
    </message>
    <message>
        <source>Run transcodes inside this process instead of worker processes (for debugging).</source>
        <translation>Ejecutar las transcodificaciones dentro de este proceso en lugar de en procesos trabajadores (para depurar).</translation>
    </message>
    <message>
        <source>finished, input kept (the output was larger)</source>
        <translation>terminado, se conserva la entrada (la salida era más grande)</translation>
    </message>
    <message>
        <source>finished -&gt; %1 (%2, %3x)</source>
        <translation>terminado -&gt; %1 (%2, %3x)</translation>
    </message>
    <message>
        <source>; warning: %1</source>
        <translation>; aviso: %1</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>falló: %1</translation>
    </message>
    <message>
        <source>canceled</source>
        <translation>cancelado</translation>
    </message>
    <message>
        <source>SSIM %1, PSNR %2 dB</source>
        <translation>SSIM %1, PSNR %2 dB</translation>
    </message>
    <message>
        <source>, VMAF %1</source>
        <translation>, VMAF %1</translation>
    </message>
    <message>
        <source>warning: %1: %2</source>
        <translation>aviso: %1: %2</translation>
    </message>
    <message>
        <source>%1 running, %2/%3 done | %4 %5% %6 fps %7x ETA %8</source>
        <translation>%1 en curso, %2/%3 hechos | %4 %5% %6 fps %7x quedan %8</translation>
    </message>
    <message>
        <source>vtfarm-cli: interrupted; unfinished jobs stay queued: `vtfarm-cli run` resumes them</source>
        <translation>vtfarm-cli: interrumpido; los trabajos sin terminar siguen en cola: `vtfarm-cli run` los reanuda</translation>
    </message>
    <message>
        <source>vtfarm-cli: jobs of the damaged store were lost: %1</source>
        <translation>vtfarm-cli: se perdieron trabajos del almacén dañado: %1</translation>
    </message>
    <message>
        <source>Transcode many files or folders through the job queue.</source>
        <translation>Transcodificar muchos archivos o carpetas mediante la cola de trabajos.</translation>
    </message>
    <message>
        <source>Files, or folders searched recursively for video files.</source>
        <translation>Archivos, o carpetas en las que se buscan archivos de vídeo de forma recursiva.</translation>
    </message>
    <message>
        <source>Write the outputs here (default: next to each input).</source>
        <translation>Escribir aquí las salidas (predeterminado: junto a cada entrada).</translation>
    </message>
    <message>
        <source>Output container: mp4, mkv, webm, mov, m4a (default: the preset&apos;s, else mp4).</source>
        <translation>Contenedor de salida: mp4, mkv, webm, mov, m4a (predeterminado: el del preajuste, si no mp4).</translation>
    </message>
    <message>
        <source>Output file name pattern; {name} is the input&apos;s name (default {name}).</source>
        <translation>Patrón del nombre de los archivos de salida; {name} es el nombre de la entrada (predeterminado {name}).</translation>
    </message>
    <message>
        <source>usage: vtfarm-cli batch PATHS... [-o DIR] [--preset NAME | options] [-j N]   (see --help)</source>
        <translation>uso: vtfarm-cli batch RUTAS... [-o CARPETA] [--preset NOMBRE | opciones] [-j N]   (véase --help)</translation>
    </message>
    <message>
        <source>vtfarm-cli: no video files to transcode</source>
        <translation>vtfarm-cli: no hay archivos de vídeo que transcodificar</translation>
    </message>
    <message>
        <source>Process the queued jobs until none is left (resumes after a crash or an interruption).</source>
        <translation>Procesar los trabajos en cola hasta que no quede ninguno (se reanuda tras un fallo o una interrupción).</translation>
    </message>
    <message>
        <source>nothing queued</source>
        <translation>no hay nada en cola</translation>
    </message>
    <message>
        <source>List the jobs in the queue.</source>
        <translation>Listar los trabajos de la cola.</translation>
    </message>
    <message>
        <source>Only jobs in this state: queued, started, finished, failed, canceled.</source>
        <translation>Solo los trabajos en este estado: queued, started, finished, failed, canceled.</translation>
    </message>
    <message>
        <source>Print a JSON array.</source>
        <translation>Imprimir una matriz JSON.</translation>
    </message>
    <message>
        <source>vtfarm-cli: --state: &apos;%1&apos; is not one of queued, started, finished, failed, canceled</source>
        <translation>vtfarm-cli: --state: «%1» no es ninguno de queued, started, finished, failed, canceled</translation>
    </message>
    <message>
        <source>List the presets.</source>
        <translation>Listar los preajustes.</translation>
    </message>
    <message>
        <source>vtfarm-cli: unknown command &apos;%1&apos;</source>
        <translation>vtfarm-cli: orden desconocida «%1»</translation>
    </message>
    <message>
        <source>Describe a media file: container, duration and streams.</source>
        <translation>Describir un archivo multimedia: contenedor, duración y flujos.</translation>
    </message>
    <message>
        <source>The file to describe.</source>
        <translation>El archivo que describir.</translation>
    </message>
    <message>
        <source>Print JSON instead of text.</source>
        <translation>Imprimir JSON en lugar de texto.</translation>
    </message>
    <message>
        <source>usage: vtfarm-cli probe INPUT [--json]</source>
        <translation>uso: vtfarm-cli probe ENTRADA [--json]</translation>
    </message>
    <message>
        <source>vtfarm-cli: warning: %1 can be read by every user; chmod o-r it</source>
        <translation>vtfarm-cli: aviso: %1 lo puede leer cualquier usuario; ejecute chmod o-r sobre él</translation>
    </message>
    <message>
        <source>[watch.%1] %2: %3</source>
        <translation>[watch.%1] %2: %3</translation>
    </message>
    <message>
        <source>Serve the REST API and Prometheus metrics, and run the jobs submitted through it.
Listens on 127.0.0.1 unless told otherwise; any other address needs a token.</source>
        <translation>Servir la API REST y las métricas de Prometheus, y ejecutar los trabajos enviados a través de ella.
Escucha en 127.0.0.1 salvo que se indique otra cosa; cualquier otra dirección necesita un token.</translation>
    </message>
    <message>
        <source>Address to listen on (default 127.0.0.1).</source>
        <translation>Dirección en la que escuchar (predeterminada 127.0.0.1).</translation>
    </message>
    <message>
        <source>Token clients send as &apos;Authorization: Bearer TOKEN&apos; (other users can see it in ps; prefer --token-file).</source>
        <translation>Token que los clientes envían como «Authorization: Bearer TOKEN» (otros usuarios pueden verlo en ps; mejor --token-file).</translation>
    </message>
    <message>
        <source>Read the token from this file.</source>
        <translation>Leer el token de este archivo.</translation>
    </message>
    <message>
        <source>Job queue, uploads and outputs (default: the user&apos;s vtfarm data folder).</source>
        <translation>Cola de trabajos, subidas y salidas (predeterminado: la carpeta de datos de vtfarm del usuario).</translation>
    </message>
    <message>
        <source>Let jobs name files in this folder instead of uploading them.</source>
        <translation>Permitir que los trabajos nombren archivos de esta carpeta en lugar de subirlos.</translation>
    </message>
    <message>
        <source>How many transcodes run here at once (default: what fills the cores; 0 with --redis: none, the nodes run them all).</source>
        <translation>Cuántas transcodificaciones se ejecutan aquí a la vez (predeterminado: las que llenan los núcleos; 0 con --redis: ninguna, los nodos las ejecutan todas).</translation>
    </message>
    <message>
        <source>Coordinate a farm: nodes on other machines (vtfarm-cli node) take jobs through this Redis, redis://[:PASSWORD@]HOST[:PORT][/DB]. Needs a token.</source>
        <translation>Coordinar una granja: los nodos de otras máquinas (vtfarm-cli node) toman los trabajos a través de este Redis, redis://[:CONTRASEÑA@]HOST[:PUERTO][/BD]. Necesita un token.</translation>
    </message>
    <message>
        <source>file</source>
        <translation>archivo</translation>
    </message>
    <message>
        <source>usage: vtfarm-cli serve [--bind ADDR] [--port N] [--token-file F] [--data-dir D] [-j N] (see --help)</source>
        <translation>uso: vtfarm-cli serve [--bind DIRECCIÓN] [--port N] [--token-file ARCHIVO] [--data-dir CARPETA] [-j N] (véase --help)</translation>
    </message>
    <message>
        <source>no transcodes here</source>
        <translation>ninguna transcodificación aquí</translation>
    </message>
    <message>
        <source>%1 transcodes at a time</source>
        <translation>%1 transcodificaciones a la vez</translation>
    </message>
    <message>
        <source>, farm on %1</source>
        <translation>, granja en %1</translation>
    </message>
    <message>
        <source>, token required</source>
        <translation>, se exige token</translation>
    </message>
    <message>
        <source>vtfarm %1 serving on http://%2:%3/ (data in %4, %5%6)</source>
        <translation>vtfarm %1 sirviendo en http://%2:%3/ (datos en %4, %5%6)</translation>
    </message>
    <message>
        <source>vtfarm-cli: warning: %1: %2</source>
        <translation>vtfarm-cli: aviso: %1: %2</translation>
    </message>
    <message>
        <source>watch %1 took %2 (job %3)</source>
        <translation>la carpeta vigilada %1 tomó %2 (trabajo %3)</translation>
    </message>
    <message>
        <source>[watch.%1]: %2</source>
        <translation>[watch.%1]: %2</translation>
    </message>
    <message>
        <source>watching %1: %2 -&gt; %3</source>
        <translation>vigilando %1: %2 -&gt; %3</translation>
    </message>
    <message>
        <source>vtfarm-cli: %1: stopping; running jobs go back to the queue</source>
        <translation>vtfarm-cli: %1: deteniendo; los trabajos en curso vuelven a la cola</translation>
    </message>
    <message>
        <source>codec</source>
        <translation>códec</translation>
    </message>
    <message>
        <source>Video bitrate, e.g. 1000k or 2.5M (default 1000k).</source>
        <translation>Tasa de bits del vídeo, p. ej. 1000k o 2.5M (predeterminada 1000k).</translation>
    </message>
    <message>
        <source>Constant quality instead of a bitrate (x264/x265 0-51, VP9/AV1 0-63).</source>
        <translation>Calidad constante en lugar de una tasa de bits (x264/x265 0-51, VP9/AV1 0-63).</translation>
    </message>
    <message>
        <source>WIDTHxHEIGHT (exactly that size), a height such as 720p (keeps the aspect ratio, never upscales) or keep (default 1280x720).</source>
        <translation>ANCHOxALTO (exactamente ese tamaño), una altura como 720p (conserva la relación de aspecto, nunca amplía) o keep (predeterminado 1280x720).</translation>
    </message>
    <message>
        <source>Frame rate, e.g. 30 or 30000/1001 (default: keep the input&apos;s).</source>
        <translation>Fotogramas por segundo, p. ej. 30 o 30000/1001 (predeterminado: los de la entrada).</translation>
    </message>
    <message>
        <source>A vtfarm preset (see `vtfarm-cli presets`; other options override it), or the encoder&apos;s preset: ultrafast..placebo for x264/x265, a speed 0-8 for VP9 or 0-13 for AV1.</source>
        <translation>Un preajuste de vtfarm (véase `vtfarm-cli presets`; las demás opciones lo modifican), o el preajuste del codificador: ultrafast..placebo para x264/x265, una velocidad 0-8 para VP9 o 0-13 para AV1.</translation>
    </message>
    <message>
        <source>Audio bitrate, e.g. 128k (default: the encoder&apos;s, for AAC 69k mono, 128k stereo).</source>
        <translation>Tasa de bits del audio, p. ej. 128k (predeterminada: la del codificador; para AAC 69k mono, 128k estéreo).</translation>
    </message>
    <message>
        <source>libav threads per decoder and encoder (default 0: automatic).</source>
        <translation>Hilos de libav por decodificador y codificador (predeterminado 0: automático).</translation>
    </message>
    <message>
        <source>Replace an existing output file.</source>
        <translation>Reemplazar un archivo de salida existente.</translation>
    </message>
    <message>
        <source>After the encode, measure the output&apos;s SSIM and PSNR against the input (on a sample of frames; VMAF too where libavfilter has it).</source>
        <translation>Tras la codificación, medir el SSIM y el PSNR de la salida frente a la entrada (sobre una muestra de fotogramas; también VMAF donde libavfilter lo tenga).</translation>
    </message>
    <message>
        <source>Fail the job, removing the output, when its SSIM is below this (0-1, e.g. 0.95); implies --quality-check.</source>
        <translation>Hacer fallar el trabajo, eliminando la salida, cuando su SSIM sea inferior a este valor (0-1, p. ej. 0.95); implica --quality-check.</translation>
    </message>
    <message>
        <source>Remove an output larger than its input and keep the input; the job ends finished with a warning.</source>
        <translation>Eliminar una salida más grande que su entrada y conservar la entrada; el trabajo termina como finalizado con un aviso.</translation>
    </message>
    <message>
        <source>A worker that makes no progress for this many seconds is stopped and its job runs again (default 120; 0: never).</source>
        <translation>Un trabajador que no avanza durante estos segundos se detiene y su trabajo se vuelve a ejecutar (predeterminado 120; 0: nunca).</translation>
    </message>
    <message>
        <source>The I/O priority of worker processes: best-effort (the lowest level, default) or idle.</source>
        <translation>La prioridad de E/S de los procesos trabajadores: best-effort (el nivel más bajo, predeterminado) o idle.</translation>
    </message>
    <message>
        <source>Transcode one file.</source>
        <translation>Transcodificar un archivo.</translation>
    </message>
    <message>
        <source>The file to transcode.</source>
        <translation>El archivo que transcodificar.</translation>
    </message>
    <message>
        <source>The file to write; its extension picks the container (mp4, mkv, webm, mov, m4a).</source>
        <translation>El archivo que escribir; su extensión elige el contenedor (mp4, mkv, webm, mov, m4a).</translation>
    </message>
    <message>
        <source>usage: vtfarm-cli transcode INPUT -o OUTPUT [options]   (see --help)</source>
        <translation>uso: vtfarm-cli transcode ENTRADA -o SALIDA [opciones]   (véase --help)</translation>
    </message>
    <message>
        <source>vtfarm-cli: interrupted; the partial output was removed</source>
        <translation>vtfarm-cli: interrumpido; se eliminó la salida parcial</translation>
    </message>
    <message>
        <source>vtfarm-cli: warning: %1</source>
        <translation>vtfarm-cli: aviso: %1</translation>
    </message>
    <message>
        <source>%1: %2, %3 frames, %4 s of media in %5 s (%6x)</source>
        <translation>%1: %2, %3 fotogramas, %4 s de vídeo en %5 s (%6x)</translation>
    </message>
    <message>
        <source>%1: quality %2 (%3 frames compared in %4 s)</source>
        <translation>%1: calidad %2 (%3 fotogramas comparados en %4 s)</translation>
    </message>
    <message>
        <source>%1 jobs: %2 finished%3, %4 failed, %5 canceled%6 in %7 s</source>
        <translation>%1 trabajos: %2 terminados%3, %4 fallidos, %5 cancelados%6 en %7 s</translation>
    </message>
    <message>
        <source> (%1 with warnings)</source>
        <translation> (%1 con avisos)</translation>
    </message>
    <message>
        <source>, %1 left in the queue</source>
        <translation>, %1 pendientes en la cola</translation>
    </message>
    <message>
        <source>queued %1 jobs, %2 at a time</source>
        <translation>%1 trabajos en cola, %2 a la vez</translation>
    </message>
    <message>
        <source>resuming %1 jobs, %2 at a time</source>
        <translation>reanudando %1 trabajos, %2 a la vez</translation>
    </message>
    <message>
        <source>usage: vtfarm-cli COMMAND [options]

Commands:
  transcode INPUT -o OUTPUT   transcode one file, with a progress bar
  probe INPUT [--json]        describe a media file
  batch PATHS... [-o DIR]     queue files and folders, run them, report each
  run                         process the queued jobs (resumes after a crash)
  jobs [--state S] [--json]   list the jobs in the queue
  presets [--json]            list the presets
  serve [--port 8000]         serve the REST API and metrics, run the jobs
  watch DIR -o OUTDIR         transcode each video file that appears in a folder
  node --redis URL --server URL --token-file F
                              take and run jobs of a farm&apos;s coordinator

  vtfarm-cli COMMAND --help   options of a command
  vtfarm-cli --version
</source>
        <translation>uso: vtfarm-cli ORDEN [opciones]

Órdenes:
  transcode ENTRADA -o SALIDA transcodificar un archivo, con una barra de progreso
  probe ENTRADA [--json]      describir un archivo multimedia
  batch RUTAS... [-o CARPETA] poner en cola archivos y carpetas, ejecutarlos, informar de cada uno
  run                         procesar los trabajos en cola (se reanuda tras un fallo)
  jobs [--state E] [--json]   listar los trabajos de la cola
  presets [--json]            listar los preajustes
  serve [--port 8000]         servir la API REST y las métricas, ejecutar los trabajos
  watch CARPETA -o SALIDA     transcodificar cada archivo de vídeo que aparezca en una carpeta
  node --redis URL --server URL --token-file ARCHIVO
                              tomar y ejecutar trabajos del coordinador de una granja

  vtfarm-cli ORDEN --help     opciones de una orden
  vtfarm-cli --version
</translation>
    </message>
    <message>
        <source>Be a node of a farm: take jobs from the coordinator&apos;s Redis, download each input from the
coordinator&apos;s API, transcode it here in worker processes, upload the output, and take the next.
SIGTERM: take no more jobs; finish or hand back the current ones within the grace; exit 0.</source>
        <translation>Ser un nodo de una granja: tomar trabajos del Redis del coordinador, descargar cada entrada de la
API del coordinador, transcodificarla aquí en procesos trabajadores, subir la salida y tomar el siguiente.
SIGTERM: no tomar más trabajos; terminar o devolver los actuales dentro del plazo de gracia; salir con 0.</translation>
    </message>
    <message>
        <source>The coordinator&apos;s Redis, redis://[:PASSWORD@]HOST[:PORT][/DB].</source>
        <translation>El Redis del coordinador, redis://[:CONTRASEÑA@]HOST[:PUERTO][/BD].</translation>
    </message>
    <message>
        <source>The coordinator&apos;s API, http://HOST:PORT.</source>
        <translation>La API del coordinador, http://HOST:PUERTO.</translation>
    </message>
    <message>
        <source>A file with the coordinator&apos;s token.</source>
        <translation>Un archivo con el token del coordinador.</translation>
    </message>
    <message>
        <source>How many transcodes run here at once (default: what fills the cores).</source>
        <translation>Cuántas transcodificaciones se ejecutan aquí a la vez (predeterminado: las que llenan los núcleos).</translation>
    </message>
    <message>
        <source>This node&apos;s name in the farm (default: the host name).</source>
        <translation>El nombre de este nodo en la granja (predeterminado: el nombre del equipo).</translation>
    </message>
    <message>
        <source>Inputs and outputs while they are here (default: ./vtfarm-node).</source>
        <translation>Entradas y salidas mientras están aquí (predeterminado: ./vtfarm-node).</translation>
    </message>
    <message>
        <source>Seconds a job stays this node&apos;s without a renewal, as the coordinator&apos;s --lease (default 30).</source>
        <translation>Segundos que un trabajo sigue siendo de este nodo sin renovarse, como el --lease del coordinador (predeterminado 30).</translation>
    </message>
    <message>
        <source>Seconds after SIGTERM to finish the current jobs before they go back (default 25).</source>
        <translation>Segundos tras SIGTERM para terminar los trabajos actuales antes de que se devuelvan (predeterminado 25).</translation>
    </message>
    <message>
        <source>INI file with the keys redis, server, token_file, workers, name, work_dir, lease, grace, stall_timeout, worker_nice, worker_io; options given here win.</source>
        <translation>Archivo INI con las claves redis, server, token_file, workers, name, work_dir, lease, grace, stall_timeout, worker_nice, worker_io; las opciones dadas aquí prevalecen.</translation>
    </message>
    <message>
        <source>usage: vtfarm-cli node --redis URL --server URL --token-file FILE [-j N] [--name NAME] (see --help)</source>
        <translation>uso: vtfarm-cli node --redis URL --server URL --token-file ARCHIVO [-j N] [--name NOMBRE] (véase --help)</translation>
    </message>
    <message>
        <source>vtfarm %1 node %2: %3 transcodes at a time, jobs from %4, files from %5</source>
        <translation>vtfarm %1 nodo %2: %3 transcodificaciones a la vez, trabajos de %4, archivos de %5</translation>
    </message>
    <message>
        <source>%1: taking no more jobs</source>
        <translation>%1: no se toman más trabajos</translation>
    </message>
    <message>
        <source>How worker processes yield the CPU to the server and the window: idle (the CPU time nothing else wants, default) or a nice value 0-19 with batch scheduling.</source>
        <translation>Cómo ceden la CPU los procesos trabajadores al servidor y a la ventana: idle (el tiempo de CPU que nada más quiere, predeterminado) o un valor nice 0-19 con planificación por lotes.</translation>
    </message>
    <message>
        <source>Write the input from this time on, frame-accurately: seconds (12.5) or HH:MM:SS.s (00:01:02.5). Not with copy.</source>
        <translation>Escribir la entrada desde este instante, con precisión de fotograma: segundos (12.5) o HH:MM:SS.s (00:01:02.5). No con copy.</translation>
    </message>
    <message>
        <source>Write the input up to this time (exclusive; default: its end). Not with copy.</source>
        <translation>Escribir la entrada hasta este instante (exclusivo; predeterminado: su final). No con copy.</translation>
    </message>
    <message>
        <source>Encode each file in segments on all slots at once: auto (when longer than --split-min and two slots, local or on the farm&apos;s nodes, can take work), off, or the segments&apos; length in seconds (default auto).</source>
        <translation>Codificar cada archivo en segmentos en todas las ranuras a la vez: auto (cuando dura más que --split-min y dos ranuras, locales o en los nodos de la granja, pueden trabajar), off, o la duración de los segmentos en segundos (predeterminado auto).</translation>
    </message>
    <message>
        <source>With --split auto: the shortest file that is split (default 120 s).</source>
        <translation>Con --split auto: el archivo más corto que se divide (predeterminado 120 s).</translation>
    </message>
    <message>
        <source>--split-min takes seconds, 0 or more</source>
        <translation>--split-min admite segundos, 0 o más</translation>
    </message>
</context>
<context>
    <name>vtfarm::cli::watch</name>
    <message>
        <source>Watch a folder and transcode each video file that appears in it, once the file is complete. Runs until stopped (Ctrl+C, SIGTERM); a file is taken once, also across restarts.</source>
        <translation>Vigilar una carpeta y transcodificar cada archivo de vídeo que aparezca en ella, una vez completo. Se ejecuta hasta que se detiene (Ctrl+C, SIGTERM); cada archivo se toma una sola vez, también tras reiniciar.</translation>
    </message>
    <message>
        <source>The folder to watch.</source>
        <translation>La carpeta que vigilar.</translation>
    </message>
    <message>
        <source>Write the outputs here (required).</source>
        <translation>Escribir aquí las salidas (obligatorio).</translation>
    </message>
    <message>
        <source>Output container: mp4, mkv, webm, mov, m4a (default: the preset&apos;s, else mp4).</source>
        <translation>Contenedor de salida: mp4, mkv, webm, mov, m4a (predeterminado: el del preajuste, si no mp4).</translation>
    </message>
    <message>
        <source>Output file name pattern; {name} is the input&apos;s name (default {name}).</source>
        <translation>Patrón del nombre de los archivos de salida; {name} es el nombre de la entrada (predeterminado {name}).</translation>
    </message>
    <message>
        <source>Watch the subfolders too; their outputs go to the same subfolders of the output folder.</source>
        <translation>Vigilar también las subcarpetas; sus salidas van a las mismas subcarpetas de la carpeta de salida.</translation>
    </message>
    <message>
        <source>Seconds a file&apos;s size and modification time must stand still before it is taken (default 5).</source>
        <translation>Segundos que el tamaño y la fecha de modificación de un archivo deben permanecer sin cambios antes de tomarlo (predeterminado 5).</translation>
    </message>
    <message>
        <source>Look at the folder this often, in seconds, besides when the system says it changed (default 10; inotify misses changes made on network mounts).</source>
        <translation>Revisar la carpeta con esta frecuencia, en segundos, además de cuando el sistema avisa de un cambio (predeterminado 10; inotify no ve los cambios hechos en unidades de red).</translation>
    </message>
    <message>
        <source>usage: vtfarm-cli watch DIR -o OUTDIR [--preset NAME | options] [--recursive] [--settle S] [-j N]   (see --help)</source>
        <translation>uso: vtfarm-cli watch CARPETA -o CARPETA_SALIDA [--preset NOMBRE | opciones] [--recursive] [--settle S] [-j N]   (véase --help)</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a number of seconds from 0 to 3600</source>
        <translation>«%1» no es un número de segundos entre 0 y 3600</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a number of seconds from 0.1 to 3600</source>
        <translation>«%1» no es un número de segundos entre 0,1 y 3600</translation>
    </message>
    <message>
        <source>took %1 -&gt; %2 (job %3)</source>
        <translation>tomado %1 -&gt; %2 (trabajo %3)</translation>
    </message>
    <message>
        <source>vtfarm-cli: warning: %1</source>
        <translation>vtfarm-cli: aviso: %1</translation>
    </message>
    <message>
        <source>vtfarm-cli: %1</source>
        <translation>vtfarm-cli: %1</translation>
    </message>
    <message>
        <source>watching %1 -&gt; %2 (%3 transcodes at a time, a file is taken %4 s after it stops changing)</source>
        <translation>vigilando %1 -&gt; %2 (%3 transcodificaciones a la vez; un archivo se toma %4 s después de que deje de cambiar)</translation>
    </message>
    <message>
        <source>resuming %1 job(s) an earlier run took</source>
        <translation>reanudando %1 trabajo(s) que tomó una ejecución anterior</translation>
    </message>
    <message>
        <source>vtfarm-cli: %1: stopping; running jobs go back to the queue and run at the next start</source>
        <translation>vtfarm-cli: %1: deteniendo; los trabajos en curso vuelven a la cola y se ejecutarán en el próximo inicio</translation>
    </message>
</context>
<context>
    <name>vtfarm::jobs::JobManager</name>
    <message>
        <source>No input file given.</source>
        <translation>No se ha indicado ningún archivo de entrada.</translation>
    </message>
    <message>
        <source>The input file %1 does not exist.</source>
        <translation>El archivo de entrada %1 no existe.</translation>
    </message>
    <message>
        <source>Cannot create the output folder %1.</source>
        <translation>No se puede crear la carpeta de salida %1.</translation>
    </message>
</context>
<context>
    <name>vtfarm::media::Codecs</name>
    <message>
        <source>H.264 (x264)</source>
        <translation>H.264 (x264)</translation>
    </message>
    <message>
        <source>H.265 / HEVC (x265)</source>
        <translation>H.265 / HEVC (x265)</translation>
    </message>
    <message>
        <source>VP9</source>
        <translation>VP9</translation>
    </message>
    <message>
        <source>AV1 (SVT-AV1)</source>
        <translation>AV1 (SVT-AV1)</translation>
    </message>
    <message>
        <source>Copy without re-encoding</source>
        <translation>Copiar sin recodificar</translation>
    </message>
    <message>
        <source>None (drop the picture)</source>
        <translation>Ninguno (descartar la imagen)</translation>
    </message>
    <message>
        <source>AAC</source>
        <translation>AAC</translation>
    </message>
    <message>
        <source>Opus</source>
        <translation>Opus</translation>
    </message>
    <message>
        <source>None (drop the sound)</source>
        <translation>Ninguno (descartar el sonido)</translation>
    </message>
    <message>
        <source>MP4 (.mp4)</source>
        <translation>MP4 (.mp4)</translation>
    </message>
    <message>
        <source>Matroska (.mkv)</source>
        <translation>Matroska (.mkv)</translation>
    </message>
    <message>
        <source>WebM (.webm)</source>
        <translation>WebM (.webm)</translation>
    </message>
    <message>
        <source>QuickTime (.mov)</source>
        <translation>QuickTime (.mov)</translation>
    </message>
    <message>
        <source>Audio only (.m4a)</source>
        <translation>Solo audio (.m4a)</translation>
    </message>
</context>
<context>
    <name>vtfarm::media::InputFile</name>
    <message>
        <source>The input file %1 does not exist.</source>
        <translation>El archivo de entrada %1 no existe.</translation>
    </message>
    <message>
        <source>The input file %1 cannot be read (permission denied).</source>
        <translation>El archivo de entrada %1 no se puede leer (permiso denegado).</translation>
    </message>
    <message>
        <source>The input file %1 is empty.</source>
        <translation>El archivo de entrada %1 está vacío.</translation>
    </message>
    <message>
        <source>Refused %1: it is a &apos;%2&apos; file, not a video container. Playlists and scripts that point at other files are not accepted.</source>
        <translation>Rechazado %1: es un archivo «%2», no un contenedor de vídeo. No se aceptan listas de reproducción ni scripts que apunten a otros archivos.</translation>
    </message>
    <message>
        <source>Out of memory opening the input.</source>
        <translation>Sin memoria al abrir la entrada.</translation>
    </message>
    <message>
        <source>Cannot open %1: %2.</source>
        <translation>No se puede abrir %1: %2.</translation>
    </message>
    <message>
        <source>Refused %1: &apos;%2&apos; is not a container vtfarm accepts.</source>
        <translation>Rechazado %1: «%2» no es un contenedor que vtfarm acepte.</translation>
    </message>
    <message>
        <source>Cannot read the streams of %1: %2.</source>
        <translation>No se pueden leer los flujos de %1: %2.</translation>
    </message>
    <message>
        <source>Stream %1 of %2 is %3x%4 pixels, larger than vtfarm accepts.</source>
        <translation>El flujo %1 de %2 mide %3x%4 píxeles, más de lo que vtfarm acepta.</translation>
    </message>
</context>
<context>
    <name>vtfarm::media::InputSearch</name>
    <message>
        <source>does not exist</source>
        <translation>no existe</translation>
    </message>
    <message>
        <source>not a video file</source>
        <translation>no es un archivo de vídeo</translation>
    </message>
    <message>
        <source>cannot be read</source>
        <translation>no se puede leer</translation>
    </message>
</context>
<context>
    <name>vtfarm::media::Presets</name>
    <message>
        <source>&apos;%1&apos; is not true or false</source>
        <translation>«%1» no es true ni false</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a number from 0 to 1</source>
        <translation>«%1» no es un número entre 0 y 1</translation>
    </message>
</context>
<context>
    <name>vtfarm::media::QualityCheck</name>
    <message>
        <source>%1 has no video to compare.</source>
        <translation>%1 no tiene vídeo que comparar.</translation>
    </message>
    <message>
        <source>%1 cannot be decoded to compare it.</source>
        <translation>%1 no se puede decodificar para compararlo.</translation>
    </message>
    <message>
        <source>Out of memory starting the quality check.</source>
        <translation>Sin memoria al iniciar la comprobación de calidad.</translation>
    </message>
    <message>
        <source>Cannot set up a decoder for the quality check.</source>
        <translation>No se puede preparar un decodificador para la comprobación de calidad.</translation>
    </message>
    <message>
        <source>Cannot open a decoder for %1 to compare it: %2.</source>
        <translation>No se puede abrir un decodificador de %1 para compararlo: %2.</translation>
    </message>
    <message>
        <source>Out of memory during the quality check.</source>
        <translation>Sin memoria durante la comprobación de calidad.</translation>
    </message>
    <message>
        <source>The quality check&apos;s filters refused a picture: %1.</source>
        <translation>Los filtros de la comprobación de calidad rechazaron una imagen: %1.</translation>
    </message>
    <message>
        <source>The quality check&apos;s filters failed: %1.</source>
        <translation>Los filtros de la comprobación de calidad fallaron: %1.</translation>
    </message>
    <message>
        <source>The output&apos;s pictures have no known format.</source>
        <translation>Las imágenes de la salida no tienen un formato conocido.</translation>
    </message>
    <message>
        <source>Cannot set up the quality check&apos;s filters: %1.</source>
        <translation>No se pueden preparar los filtros de la comprobación de calidad: %1.</translation>
    </message>
    <message>
        <source>The output cannot be read back to check its quality: %1</source>
        <translation>No se puede volver a leer la salida para comprobar su calidad: %1</translation>
    </message>
    <message>
        <source>The input cannot be read again to check the output&apos;s quality: %1</source>
        <translation>No se puede volver a leer la entrada para comprobar la calidad de la salida: %1</translation>
    </message>
    <message>
        <source>No picture of the output could be compared with the input.</source>
        <translation>No se pudo comparar ninguna imagen de la salida con la entrada.</translation>
    </message>
</context>
<context>
    <name>vtfarm::media::TranscodeSettings</name>
    <message>
        <source>must be true or false</source>
        <translation>debe ser true o false</translation>
    </message>
    <message>
        <source>must be a number from 0 to 1</source>
        <translation>debe ser un número entre 0 y 1</translation>
    </message>
    <message>
        <source>the lowest SSIM accepted is a number from 0 (none) to 1</source>
        <translation>el SSIM mínimo aceptado es un número entre 0 (ninguno) y 1</translation>
    </message>
    <message>
        <source>the quality check compares re-encoded video with the input; it does not apply when the video is copied</source>
        <translation>la comprobación de calidad compara el vídeo recodificado con la entrada; no se aplica cuando el vídeo se copia</translation>
    </message>
    <message>
        <source>the quality check compares re-encoded video with the input; it does not apply when the video is dropped</source>
        <translation>la comprobación de calidad compara el vídeo recodificado con la entrada; no se aplica cuando el vídeo se descarta</translation>
    </message>
    <message>
        <source>the quality check compares the whole input with the output; it does not apply to a part of the input (start, end)</source>
        <translation>la comprobación de calidad compara la entrada entera con la salida; no se aplica a una parte de la entrada (start, end)</translation>
    </message>
</context>
<context>
    <name>vtfarm::media::Transcoder</name>
    <message>
        <source>The output (%1) was larger than the input (%2), so it was removed and the input kept.</source>
        <translation>La salida (%1) era más grande que la entrada (%2), así que se eliminó y se conservó la entrada.</translation>
    </message>
    <message>
        <source>The quality check was skipped: the output has no encoded video.</source>
        <translation>Se omitió la comprobación de calidad: la salida no tiene vídeo codificado.</translation>
    </message>
    <message>
        <source>The quality check could not run: %1</source>
        <translation>No se pudo hacer la comprobación de calidad: %1</translation>
    </message>
    <message>
        <source>The output&apos;s SSIM is %1, below the %2 asked for (PSNR %3 dB); it was removed. A higher bitrate or a lower CRF gives a closer copy.</source>
        <translation>El SSIM de la salida es %1, inferior al %2 pedido (PSNR %3 dB); se eliminó. Una tasa de bits más alta o un CRF más bajo dan una copia más fiel.</translation>
    </message>
</context>
<context>
    <name>vtfarm::ui</name>
    <message>
        <source>Queued</source>
        <translation>En cola</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>En curso</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Terminado</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fallido</translation>
    </message>
    <message>
        <source>Canceled</source>
        <translation>Cancelado</translation>
    </message>
</context>
<context>
    <name>vtfarm::ui::AdvancedPanel</name>
    <message>
        <source>Bitrate</source>
        <translation>Tasa de bits</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>Calidad</translation>
    </message>
    <message>
        <source>Bitrate: a target size per second. Quality (CRF): a constant look, the size follows the picture.</source>
        <translation>Tasa de bits: un tamaño fijo por segundo. Calidad (CRF): un aspecto constante; el tamaño depende de la imagen.</translation>
    </message>
    <message>
        <source>e.g. 1000k or 2.5M</source>
        <translation>p. ej. 1000k o 2.5M</translation>
    </message>
    <message>
        <source>Bits per second: 1000k, 2.5M</source>
        <translation>Bits por segundo: 1000k, 2.5M</translation>
    </message>
    <message>
        <source>CRF </source>
        <translation>CRF </translation>
    </message>
    <message>
        <source>Lower is better quality and larger files. x264/x265: 0–51 (23 is typical); VP9 and AV1: 0–63.</source>
        <translation>Cuanto más bajo, mejor calidad y archivos más grandes. x264/x265: 0–51 (lo habitual es 23); VP9 y AV1: 0–63.</translation>
    </message>
    <message>
        <source>Keep the source size</source>
        <translation>Mantener el tamaño original</translation>
    </message>
    <message>
        <source>%1 (keeps the shape)</source>
        <translation>%1 (mantiene la forma)</translation>
    </message>
    <message>
        <source>A height such as 720p keeps the aspect ratio and never enlarges; WIDTHxHEIGHT is exactly that size.</source>
        <translation>Una altura como 720p mantiene la relación de aspecto y nunca amplía; ANCHOxALTO es exactamente ese tamaño.</translation>
    </message>
    <message>
        <source>Keep the source rate</source>
        <translation>Mantener la frecuencia original</translation>
    </message>
    <message>
        <source>Slower presets make smaller files at the same quality.</source>
        <translation>Los preajustes más lentos producen archivos más pequeños con la misma calidad.</translation>
    </message>
    <message>
        <source>Encoder default</source>
        <translation>Predeterminado del codificador</translation>
    </message>
    <message>
        <source>Container</source>
        <translation>Contenedor</translation>
    </message>
    <message>
        <source>Video codec</source>
        <translation>Códec de vídeo</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Tasa</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>Resolución</translation>
    </message>
    <message>
        <source>Frame rate</source>
        <translation>Fotogramas por segundo</translation>
    </message>
    <message>
        <source>Encoder speed</source>
        <translation>Velocidad del codificador</translation>
    </message>
    <message>
        <source>Audio codec</source>
        <translation>Códec de audio</translation>
    </message>
    <message>
        <source>Audio bitrate</source>
        <translation>Tasa de bits del audio</translation>
    </message>
    <message>
        <source>%1 (slowest)</source>
        <translation>%1 (la más lenta)</translation>
    </message>
    <message>
        <source>%1 (fastest)</source>
        <translation>%1 (la más rápida)</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a bitrate; write it like 1000k or 2.5M</source>
        <translation>«%1» no es una tasa de bits; escríbala como 1000k o 2.5M</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a resolution; write 1280x720, 720p or keep</source>
        <translation>«%1» no es una resolución; escriba 1280x720, 720p o keep</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a frame rate; write 30, 29.97 or 30000/1001</source>
        <translation>«%1» no es una frecuencia de fotogramas; escriba 30, 29.97 o 30000/1001</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a bitrate; write it like 128k</source>
        <translation>«%1» no es una tasa de bits; escríbala como 128k</translation>
    </message>
    <message>
        <source>start</source>
        <translation>inicio</translation>
    </message>
    <message>
        <source>end</source>
        <translation>fin</translation>
    </message>
    <message>
        <source>Where the output begins: seconds (12.5) or a time (00:01:02.5); empty: the input&apos;s start. Frame-accurate; the audio is cut to match.</source>
        <translation>Dónde empieza la salida: segundos (12.5) o una hora (00:01:02.5); vacío: el inicio de la entrada. Con precisión de fotograma; el audio se corta a juego.</translation>
    </message>
    <message>
        <source>Where the output ends: seconds or a time; empty: the input&apos;s end.</source>
        <translation>Dónde termina la salida: segundos o una hora; vacío: el final de la entrada.</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>Automático</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Desactivado</translation>
    </message>
    <message>
        <source>Every %1 s</source>
        <translation>Cada %1 s</translation>
    </message>
    <message>
        <source>Encode a long video in segments on every free slot and node at once, then join them. Automatic: videos over two minutes, when two slots can take work.</source>
        <translation>Codificar un vídeo largo en segmentos en cada ranura y nodo libre a la vez y luego unirlos. Automático: vídeos de más de dos minutos, cuando dos ranuras pueden trabajar.</translation>
    </message>
    <message>
        <source>to</source>
        <translation>a</translation>
    </message>
    <message>
        <source>Range</source>
        <translation>Intervalo</translation>
    </message>
    <message>
        <source>Encode in segments</source>
        <translation>Codificar en segmentos</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a time; write seconds (12.5) or 00:01:02.5</source>
        <translation>«%1» no es una hora; escriba segundos (12.5) o 00:01:02.5</translation>
    </message>
</context>
<context>
    <name>vtfarm::ui::DropArea</name>
    <message>
        <source>Add files…</source>
        <translation>Añadir archivos…</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>Añadir carpeta…</translation>
    </message>
    <message>
        <source>Drop videos or folders here</source>
        <translation>Suelte aquí vídeos o carpetas</translation>
    </message>
    <message>
        <source>They are queued with the preset below.</source>
        <translation>Se ponen en cola con el preajuste de abajo.</translation>
    </message>
</context>
<context>
    <name>vtfarm::ui::FarmPage</name>
    <message>
        <source>Let computers running “vtfarm-cli node” take jobs from this queue</source>
        <translation>Permitir que los equipos que ejecutan «vtfarm-cli node» tomen trabajos de esta cola</translation>
    </message>
    <message>
        <source>The Redis the nodes take jobs from: redis://HOST[:PORT][/DB].</source>
        <translation>El Redis del que los nodos toman los trabajos: redis://HOST[:PUERTO][/BD].</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Ninguna</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>A node that goes this long without renewing its job loses it, and the job runs on another node. Give the nodes the same --lease.</source>
        <translation>Un nodo que pasa este tiempo sin renovar su trabajo lo pierde, y el trabajo se ejecuta en otro nodo. Dé a los nodos el mismo --lease.</translation>
    </message>
    <message>
        <source>The nodes download inputs and upload outputs through the API server, with its access token: the API server must be on. Changes here take effect when vtfarm starts again.</source>
        <translation>Los nodos descargan las entradas y suben las salidas a través del servidor de la API, con su token de acceso: el servidor de la API debe estar activado. Los cambios aquí se aplican cuando vtfarm se vuelve a iniciar.</translation>
    </message>
    <message>
        <source>Redis</source>
        <translation>Redis</translation>
    </message>
    <message>
        <source>Redis password</source>
        <translation>Contraseña de Redis</translation>
    </message>
    <message>
        <source>Lease</source>
        <translation>Concesión</translation>
    </message>
    <message>
        <source>The farm&apos;s Redis: %1</source>
        <translation>El Redis de la granja: %1</translation>
    </message>
    <message>
        <source>A farm needs the API server: its nodes fetch inputs and deliver outputs through it. Turn on “Accept jobs over HTTP”.</source>
        <translation>Una granja necesita el servidor de la API: sus nodos obtienen las entradas y entregan las salidas a través de él. Active «Aceptar trabajos por HTTP».</translation>
    </message>
    <message>
        <source>A farm&apos;s nodes always send the access token: set one of at least 16 characters (Generate makes one).</source>
        <translation>Los nodos de una granja siempre envían el token de acceso: defina uno de al menos 16 caracteres (Generar crea uno).</translation>
    </message>
</context>
<context>
    <name>vtfarm::ui::InputScanner</name>
    <message>
        <source>has no video</source>
        <translation>no tiene vídeo</translation>
    </message>
</context>
<context>
    <name>vtfarm::ui::JobTableModel</name>
    <message>
        <source>Place in the queue; sort by this column to see the queue order</source>
        <translation>Posición en la cola; ordene por esta columna para ver el orden de la cola</translation>
    </message>
    <message>
        <source>Frames encoded per second</source>
        <translation>Fotogramas codificados por segundo</translation>
    </message>
    <message>
        <source>Seconds of video written per second (2.0× is twice real time)</source>
        <translation>Segundos de vídeo escritos por segundo (2,0× es el doble del tiempo real)</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>Tiempo restante</translation>
    </message>
    <message>
        <source>Size of the source file → size of the output file</source>
        <translation>Tamaño del archivo original → tamaño del archivo de salida</translation>
    </message>
    <message>
        <source>How close the output is to the source (SSIM, 1 is identical, and PSNR), where the preset asks for the quality check</source>
        <translation>Cuánto se parece la salida al original (SSIM, 1 es idéntico, y PSNR), cuando el preajuste pide la comprobación de calidad</translation>
    </message>
    <message>
        <source>#</source>
        <translation>N.º</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>Preajuste</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Progreso</translation>
    </message>
    <message>
        <source>FPS</source>
        <translation>FPS</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>Velocidad</translation>
    </message>
    <message>
        <source>ETA</source>
        <translation>Restante</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Tamaño</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>Calidad</translation>
    </message>
    <message>
        <source>%1
→ %2</source>
        <translation>%1
→ %2</translation>
    </message>
    <message>
        <source>%1 (attempt %2)</source>
        <translation>%1 (intento %2)</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>Personalizado</translation>
    </message>
    <message>
        <source>%1×</source>
        <translation>%1×</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>Source kept</source>
        <translation>Se conservó el original</translation>
    </message>
    <message>
        <source>%1 · %2 dB</source>
        <translation>%1 · %2 dB</translation>
    </message>
    <message>
        <source>The output was larger than the source, so it was removed and the source kept.</source>
        <translation>La salida era más grande que el original, así que se eliminó y se conservó el original.</translation>
    </message>
    <message>
        <source>SSIM %1, PSNR %2 dB</source>
        <translation>SSIM %1, PSNR %2 dB</translation>
    </message>
    <message>
        <source>, VMAF %1</source>
        <translation>, VMAF %1</translation>
    </message>
    <message>
        <source>VMAF is not measured: this FFmpeg was built without libvmaf.</source>
        <translation>No se mide VMAF: este FFmpeg se compiló sin libvmaf.</translation>
    </message>
    <message>
        <source>The farm&apos;s node that runs the job; empty: this computer</source>
        <translation>El nodo de la granja que ejecuta el trabajo; vacío: este equipo</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Nodo</translation>
    </message>
    <message>
        <source>%1, %2/%3 segments</source>
        <translation>%1, %2/%3 segmentos</translation>
    </message>
    <message>
        <source>Audio and subtitles</source>
        <translation>Audio y subtítulos</translation>
    </message>
    <message>
        <source>Segment %1 of %2</source>
        <translation>Segmento %1 de %2</translation>
    </message>
</context>
<context>
    <name>vtfarm::ui::MainWindow</name>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 y %n más</numerusform>
            <numerusform>%1 y %n más</numerusform>
        </translation>
    </message>
    <message>
        <source>vtfarm</source>
        <translation>vtfarm</translation>
    </message>
    <message>
        <source>Checking 1 file…</source>
        <translation>Comprobando 1 archivo…</translation>
    </message>
    <message>
        <source>Checking %1 of %2 files…</source>
        <translation>Comprobando %1 de %2 archivos…</translation>
    </message>
    <message>
        <source>Add &amp;files…</source>
        <translation>Añadir &amp;archivos…</translation>
    </message>
    <message>
        <source>Queue video files with the current preset</source>
        <translation>Poner en cola archivos de vídeo con el preajuste actual</translation>
    </message>
    <message>
        <source>Add f&amp;older…</source>
        <translation>Añadir &amp;carpeta…</translation>
    </message>
    <message>
        <source>Queue every video in a folder and its subfolders</source>
        <translation>Poner en cola todos los vídeos de una carpeta y sus subcarpetas</translation>
    </message>
    <message>
        <source>&amp;Pause queue</source>
        <translation>&amp;Pausar la cola</translation>
    </message>
    <message>
        <source>Pause or start the queue (Space)</source>
        <translation>Pausar o iniciar la cola (Espacio)</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Cancelar</translation>
    </message>
    <message>
        <source>Stop the selected jobs</source>
        <translation>Detener los trabajos seleccionados</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>&amp;Reintentar</translation>
    </message>
    <message>
        <source>Queue the selected failed or canceled jobs again</source>
        <translation>Volver a poner en cola los trabajos fallidos o cancelados seleccionados</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>&amp;Quitar</translation>
    </message>
    <message>
        <source>Remove the selected jobs from the queue (Delete)</source>
        <translation>Quitar de la cola los trabajos seleccionados (Supr)</translation>
    </message>
    <message>
        <source>Move &amp;up</source>
        <translation>&amp;Subir</translation>
    </message>
    <message>
        <source>Run the selected jobs earlier</source>
        <translation>Ejecutar antes los trabajos seleccionados</translation>
    </message>
    <message>
        <source>Move &amp;down</source>
        <translation>&amp;Bajar</translation>
    </message>
    <message>
        <source>Run the selected jobs later</source>
        <translation>Ejecutar después los trabajos seleccionados</translation>
    </message>
    <message>
        <source>C&amp;lear finished</source>
        <translation>&amp;Limpiar terminados</translation>
    </message>
    <message>
        <source>Remove every finished job from the list</source>
        <translation>Quitar de la lista todos los trabajos terminados</translation>
    </message>
    <message>
        <source>&amp;Open output</source>
        <translation>Abrir la &amp;salida</translation>
    </message>
    <message>
        <source>Open the transcoded file (double-click, Enter)</source>
        <translation>Abrir el archivo transcodificado (doble clic, Intro)</translation>
    </message>
    <message>
        <source>&amp;Show in folder</source>
        <translation>&amp;Mostrar en la carpeta</translation>
    </message>
    <message>
        <source>Open the folder that holds the output</source>
        <translation>Abrir la carpeta que contiene la salida</translation>
    </message>
    <message>
        <source>Cop&amp;y error</source>
        <translation>Cop&amp;iar el error</translation>
    </message>
    <message>
        <source>Copy the selected jobs&apos; error messages</source>
        <translation>Copiar los mensajes de error de los trabajos seleccionados</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Preferencias…</translation>
    </message>
    <message>
        <source>Workers, output, notifications, API server</source>
        <translation>Trabajadores, salida, notificaciones, servidor de la API</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <source>Close vtfarm</source>
        <translation>Cerrar vtfarm</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <source>&amp;Queue</source>
        <translation>&amp;Cola</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>A&amp;yuda</translation>
    </message>
    <message>
        <source>&amp;About vtfarm</source>
        <translation>&amp;Acerca de vtfarm</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>Cola</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>Preajuste</translation>
    </message>
    <message>
        <source>Advanced settings</source>
        <translation>Ajustes avanzados</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Salida</translation>
    </message>
    <message>
        <source>All jobs</source>
        <translation>Todos los trabajos</translation>
    </message>
    <message>
        <source>Show only the jobs in one state</source>
        <translation>Mostrar solo los trabajos en un estado</translation>
    </message>
    <message>
        <source>Filter by name</source>
        <translation>Filtrar por nombre</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Mostrar</translation>
    </message>
    <message>
        <source>No jobs yet.
Drop videos or folders anywhere on this window, or use Add files…</source>
        <translation>Todavía no hay trabajos.
Suelte vídeos o carpetas en cualquier parte de esta ventana, o use Añadir archivos…</translation>
    </message>
    <message>
        <source>No job matches the filter.</source>
        <translation>Ningún trabajo coincide con el filtro.</translation>
    </message>
    <message>
        <source>Overall progress of the jobs queued, running and finished since the queue was last empty</source>
        <translation>Progreso total de los trabajos en cola, en curso y terminados desde que la cola estuvo vacía por última vez</translation>
    </message>
    <message>
        <source>Nothing was queued: %1 Fix the highlighted setting and add the files again.</source>
        <translation>No se puso nada en cola: %1 Corrija el ajuste resaltado y vuelva a añadir los archivos.</translation>
    </message>
    <message>
        <source>Checking the dropped files…</source>
        <translation>Comprobando los archivos soltados…</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Queued 1 video with “%1”.</source>
        <translation>Se puso en cola 1 vídeo con «%1».</translation>
    </message>
    <message>
        <source>Queued %1 videos with “%2”.</source>
        <translation>Se pusieron en cola %1 vídeos con «%2».</translation>
    </message>
    <message>
        <source>No videos found there.</source>
        <translation>No se encontraron vídeos ahí.</translation>
    </message>
    <message>
        <source>Skipped 1 file that is not a video: %1.</source>
        <translation>Se omitió 1 archivo que no es un vídeo: %1.</translation>
    </message>
    <message>
        <source>Skipped %1 files that are not videos: %2.</source>
        <translation>Se omitieron %1 archivos que no son vídeos: %2.</translation>
    </message>
    <message numerus="yes">
        <source>%n could not be queued: %1</source>
        <translation>
            <numerusform>%n no se pudo poner en cola: %1</numerusform>
            <numerusform>%n no se pudieron poner en cola: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing was queued: %1</source>
        <translation>No se puso nada en cola: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n running</source>
        <translation>
            <numerusform>%n en curso</numerusform>
            <numerusform>%n en curso</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n queued</source>
        <translation>
            <numerusform>%n en cola</numerusform>
            <numerusform>%n en cola</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n finished</source>
        <translation>
            <numerusform>%n terminado</numerusform>
            <numerusform>%n terminados</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n fallido</numerusform>
            <numerusform>%n fallidos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n canceled</source>
        <translation>
            <numerusform>%n cancelado</numerusform>
            <numerusform>%n cancelados</numerusform>
        </translation>
    </message>
    <message>
        <source>The queue is empty.</source>
        <translation>La cola está vacía.</translation>
    </message>
    <message>
        <source>Paused · workers %1/%2</source>
        <translation>En pausa · trabajadores %1/%2</translation>
    </message>
    <message>
        <source>Workers %1/%2</source>
        <translation>Trabajadores %1/%2</translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n left — vtfarm</source>
        <translation>
            <numerusform>%1 · queda %n — vtfarm</numerusform>
            <numerusform>%1 · quedan %n — vtfarm</numerusform>
        </translation>
    </message>
    <message>
        <source>vtfarm: %1 done, 1 job left</source>
        <translation>vtfarm: %1 hecho, queda 1 trabajo</translation>
    </message>
    <message>
        <source>vtfarm: %1 done, %2 jobs left</source>
        <translation>vtfarm: %1 hecho, quedan %2 trabajos</translation>
    </message>
    <message>
        <source>vtfarm: idle</source>
        <translation>vtfarm: inactivo</translation>
    </message>
    <message>
        <source>All jobs (%1)</source>
        <translation>Todos los trabajos (%1)</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>&amp;Start queue</source>
        <translation>&amp;Iniciar la cola</translation>
    </message>
    <message>
        <source>Videos (%1);;All files (*)</source>
        <translation>Vídeos (%1);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>Add videos</source>
        <translation>Añadir vídeos</translation>
    </message>
    <message>
        <source>Add every video in a folder</source>
        <translation>Añadir todos los vídeos de una carpeta</translation>
    </message>
    <message>
        <source>Could not cancel</source>
        <translation>No se pudo cancelar</translation>
    </message>
    <message>
        <source>Could not retry</source>
        <translation>No se pudo reintentar</translation>
    </message>
    <message>
        <source>Remove jobs</source>
        <translation>Quitar trabajos</translation>
    </message>
    <message>
        <source>One of the selected jobs is running. Stop and remove it?</source>
        <translation>Uno de los trabajos seleccionados está en curso. ¿Detenerlo y quitarlo?</translation>
    </message>
    <message>
        <source>%1 of the selected jobs are running. Stop and remove them?</source>
        <translation>%1 de los trabajos seleccionados están en curso. ¿Detenerlos y quitarlos?</translation>
    </message>
    <message>
        <source>Could not remove</source>
        <translation>No se pudo quitar</translation>
    </message>
    <message>
        <source>%1 has no output file to open yet.</source>
        <translation>%1 todavía no tiene un archivo de salida que abrir.</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 falló: %2</translation>
    </message>
    <message>
        <source>A watch folder cannot run: %1</source>
        <translation>Una carpeta vigilada no puede funcionar: %1</translation>
    </message>
    <message>
        <source>About vtfarm</source>
        <translation>Acerca de vtfarm</translation>
    </message>
    <message>
        <source>&lt;h3&gt;vtfarm %1&lt;/h3&gt;&lt;p&gt;A video transcoder with a local worker farm.&lt;/p&gt;&lt;p&gt;Drop videos on the window, pick a preset and watch them transcode in parallel.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;vtfarm %1&lt;/h3&gt;&lt;p&gt;Un transcodificador de vídeo con una granja de trabajadores local.&lt;/p&gt;&lt;p&gt;Suelte vídeos en la ventana, elija un preajuste y véalos transcodificarse en paralelo.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Jobs are running</source>
        <translation>Hay trabajos en curso</translation>
    </message>
    <message>
        <source>A job is still running.</source>
        <translation>Todavía hay un trabajo en curso.</translation>
    </message>
    <message>
        <source>%1 jobs are still running.</source>
        <translation>Todavía hay %1 trabajos en curso.</translation>
    </message>
    <message>
        <source>Stop them now? They go back to the queue and start again the next time you open vtfarm.</source>
        <translation>¿Detenerlos ahora? Vuelven a la cola y empiezan de nuevo la próxima vez que abra vtfarm.</translation>
    </message>
    <message>
        <source>Stop and requeue</source>
        <translation>Detener y volver a poner en cola</translation>
    </message>
    <message>
        <source>Cancel closing</source>
        <translation>No cerrar</translation>
    </message>
    <message>
        <source>&amp;Nodes…</source>
        <translation>&amp;Nodos…</translation>
    </message>
    <message>
        <source>The farm&apos;s nodes: the computers that take jobs from this queue</source>
        <translation>Los nodos de la granja: los equipos que toman trabajos de esta cola</translation>
    </message>
    <message>
        <source>Hide segments</source>
        <translation>Ocultar los segmentos</translation>
    </message>
    <message>
        <source>Show segments</source>
        <translation>Mostrar los segmentos</translation>
    </message>
</context>
<context>
    <name>vtfarm::ui::MessageBar</name>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
</context>
<context>
    <name>vtfarm::ui::NodesView</name>
    <message>
        <source>Nodes</source>
        <translation>Nodos</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Equipo</translation>
    </message>
    <message>
        <source>Slots</source>
        <translation>Plazas</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>Ocupadas</translation>
    </message>
    <message>
        <source>Jobs done</source>
        <translation>Trabajos hechos</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Visto por última vez</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Versión</translation>
    </message>
    <message>
        <source>This computer coordinates no farm. Settings → Farm turns it on; the nodes are other computers running “vtfarm-cli node”.</source>
        <translation>Este equipo no coordina ninguna granja. Preferencias → Granja la activa; los nodos son otros equipos que ejecutan «vtfarm-cli node».</translation>
    </message>
    <message>
        <source>No node is connected. Start “vtfarm-cli node --redis … --server … --token-file …” on another computer.</source>
        <translation>No hay ningún nodo conectado. Inicie «vtfarm-cli node --redis … --server … --token-file …» en otro equipo.</translation>
    </message>
    <message numerus="yes">
        <source>%n node(s), %1 of %2 slots busy.</source>
        <translation>
            <numerusform>%n nodo, %1 de %2 plazas ocupadas.</numerusform>
            <numerusform>%n nodos, %1 de %2 plazas ocupadas.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>vtfarm::ui::OutputPanel</name>
    <message>
        <source>Next to the source file</source>
        <translation>Junto al archivo original</translation>
    </message>
    <message>
        <source>In this folder:</source>
        <translation>En esta carpeta:</translation>
    </message>
    <message>
        <source>Choose a folder…</source>
        <translation>Elegir una carpeta…</translation>
    </message>
    <message>
        <source>Choose the output folder</source>
        <translation>Elegir la carpeta de salida</translation>
    </message>
    <message>
        <source>{name} is the source file&apos;s name without its extension, e.g. {name}-small</source>
        <translation>{name} es el nombre del archivo original sin su extensión, p. ej. {name}-pequeño</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
    <message>
        <source>File name</source>
        <translation>Nombre de archivo</translation>
    </message>
    <message>
        <source>Choose the folder to save into, or save next to the source files.</source>
        <translation>Elija la carpeta en la que guardar, o guarde junto a los archivos originales.</translation>
    </message>
    <message>
        <source>The output folder must be a full path, like /home/me/Videos.</source>
        <translation>La carpeta de salida debe ser una ruta completa, como /home/yo/Vídeos.</translation>
    </message>
    <message>
        <source>Save transcoded files in</source>
        <translation>Guardar los archivos transcodificados en</translation>
    </message>
    <message>
        <source>holiday.mov → %1.%2</source>
        <translation>vacaciones.mov → %1.%2</translation>
    </message>
</context>
<context>
    <name>vtfarm::ui::PresetPicker</name>
    <message>
        <source>&amp;Presets</source>
        <translation>&amp;Preajustes</translation>
    </message>
    <message>
        <source>Save settings as a preset…</source>
        <translation>Guardar los ajustes como preajuste…</translation>
    </message>
    <message>
        <source>Rename preset…</source>
        <translation>Cambiar el nombre del preajuste…</translation>
    </message>
    <message>
        <source>Delete preset</source>
        <translation>Borrar el preajuste</translation>
    </message>
    <message>
        <source>Import preset…</source>
        <translation>Importar un preajuste…</translation>
    </message>
    <message>
        <source>Export preset…</source>
        <translation>Exportar el preajuste…</translation>
    </message>
    <message>
        <source>Save, rename, delete, import or export presets</source>
        <translation>Guardar, renombrar, borrar, importar o exportar preajustes</translation>
    </message>
    <message>
        <source>Preset actions</source>
        <translation>Acciones de preajustes</translation>
    </message>
    <message>
        <source>%1 (modified)</source>
        <translation>%1 (modificado)</translation>
    </message>
    <message>
        <source>Saved from the settings panel.</source>
        <translation>Guardado desde el panel de ajustes.</translation>
    </message>
    <message>
        <source>Presets</source>
        <translation>Preajustes</translation>
    </message>
    <message>
        <source>My preset</source>
        <translation>Mi preajuste</translation>
    </message>
    <message>
        <source>Save preset</source>
        <translation>Guardar el preajuste</translation>
    </message>
    <message>
        <source>Name of the new preset:</source>
        <translation>Nombre del nuevo preajuste:</translation>
    </message>
    <message>
        <source>Replace the preset “%1”?</source>
        <translation>¿Reemplazar el preajuste «%1»?</translation>
    </message>
    <message>
        <source>Rename preset</source>
        <translation>Cambiar el nombre del preajuste</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>Nombre nuevo:</translation>
    </message>
    <message>
        <source>Delete the preset “%1”?</source>
        <translation>¿Borrar el preajuste «%1»?</translation>
    </message>
    <message>
        <source>Import preset</source>
        <translation>Importar un preajuste</translation>
    </message>
    <message>
        <source>Presets (*.json)</source>
        <translation>Preajustes (*.json)</translation>
    </message>
    <message>
        <source>Export preset</source>
        <translation>Exportar el preajuste</translation>
    </message>
</context>
<context>
    <name>vtfarm::ui::SettingsDialog</name>
    <message>
        <source>Notify when a job fails and when the queue is done</source>
        <translation>Avisar cuando un trabajo falle y cuando la cola termine</translation>
    </message>
    <message>
        <source>Accept jobs over HTTP (REST API and metrics)</source>
        <translation>Aceptar trabajos por HTTP (API REST y métricas)</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Preferencias</translation>
    </message>
    <message>
        <source>Automatic (%1)</source>
        <translation>Automático (%1)</translation>
    </message>
    <message>
        <source>How many files are transcoded at the same time.</source>
        <translation>Cuántos archivos se transcodifican a la vez.</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>Automático</translation>
    </message>
    <message>
        <source>Encoder threads per job. Workers × threads should be about the number of cores (%1).</source>
        <translation>Hilos del codificador por trabajo. Trabajadores × hilos debería ser aproximadamente el número de núcleos (%1).</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>Nunca</translation>
    </message>
    <message>
        <source>A worker that makes no progress for this long is stopped, and its job runs again.</source>
        <translation>Un trabajador que no avanza durante este tiempo se detiene, y su trabajo se vuelve a ejecutar.</translation>
    </message>
    <message>
        <source>Workers</source>
        <translation>Trabajadores</translation>
    </message>
    <message>
        <source>Jobs at once</source>
        <translation>Trabajos a la vez</translation>
    </message>
    <message>
        <source>Threads per job</source>
        <translation>Hilos por trabajo</translation>
    </message>
    <message>
        <source>Stop a stuck worker after</source>
        <translation>Detener un trabajador atascado tras</translation>
    </message>
    <message>
        <source>Next to the source file</source>
        <translation>Junto al archivo original</translation>
    </message>
    <message>
        <source>Choose a folder</source>
        <translation>Elegir una carpeta</translation>
    </message>
    <message>
        <source>Keep it and pick a new name, like “video (1).mp4”</source>
        <translation>Conservarlo y elegir un nombre nuevo, como «video (1).mp4»</translation>
    </message>
    <message>
        <source>Replace it</source>
        <translation>Reemplazarlo</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Salida</translation>
    </message>
    <message>
        <source>Default folder</source>
        <translation>Carpeta predeterminada</translation>
    </message>
    <message>
        <source>When the file exists</source>
        <translation>Si el archivo existe</translation>
    </message>
    <message>
        <source>Required when listening beyond this computer</source>
        <translation>Obligatorio al escuchar más allá de este equipo</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>Generar</translation>
    </message>
    <message>
        <source>Make a new random token</source>
        <translation>Crear un token aleatorio nuevo</translation>
    </message>
    <message>
        <source>API server</source>
        <translation>Servidor de la API</translation>
    </message>
    <message>
        <source>Listen on address</source>
        <translation>Escuchar en la dirección</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Puerto</translation>
    </message>
    <message>
        <source>Access token</source>
        <translation>Token de acceso</translation>
    </message>
    <message>
        <source>General</source>
        <translation>General</translation>
    </message>
    <message>
        <source>Watch folders</source>
        <translation>Carpetas vigiladas</translation>
    </message>
    <message>
        <source>The default folder must be a full path, like /home/me/Videos.</source>
        <translation>La carpeta predeterminada debe ser una ruta completa, como /home/yo/Vídeos.</translation>
    </message>
    <message>
        <source>Enter the address the API server listens on; 127.0.0.1 keeps it on this computer.</source>
        <translation>Escriba la dirección en la que escucha el servidor de la API; 127.0.0.1 lo limita a este equipo.</translation>
    </message>
    <message>
        <source>Listening on %1 lets other computers connect: set an access token of at least 16 characters (Generate makes one).</source>
        <translation>Escuchar en %1 permite que otros equipos se conecten: defina un token de acceso de al menos 16 caracteres (Generar crea uno).</translation>
    </message>
    <message>
        <source>⚠ Other computers on the network can reach %1. Every request must carry the token; for access from outside, prefer 127.0.0.1 behind a reverse proxy with TLS.</source>
        <translation>⚠ Otros equipos de la red pueden llegar a %1. Cada petición debe llevar el token; para el acceso desde fuera, mejor 127.0.0.1 tras un proxy inverso con TLS.</translation>
    </message>
    <message>
        <source>Default output folder</source>
        <translation>Carpeta de salida predeterminada</translation>
    </message>
    <message>
        <source>The system&apos;s language</source>
        <translation>El idioma del sistema</translation>
    </message>
    <message>
        <source>The language of the window; it changes when vtfarm is started again.</source>
        <translation>El idioma de la ventana; cambia cuando vtfarm se vuelve a iniciar.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <source>Takes effect the next time vtfarm starts.</source>
        <translation>Se aplica la próxima vez que se inicie vtfarm.</translation>
    </message>
    <message>
        <source>Farm</source>
        <translation>Granja</translation>
    </message>
</context>
<context>
    <name>vtfarm::ui::TrayNotifier</name>
    <message>
        <source>Show vtfarm</source>
        <translation>Mostrar vtfarm</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Salir</translation>
    </message>
    <message>
        <source>vtfarm</source>
        <translation>vtfarm</translation>
    </message>
    <message>
        <source>A job failed: %1</source>
        <translation>Un trabajo falló: %1</translation>
    </message>
    <message>
        <source>1 job finished</source>
        <translation>1 trabajo terminado</translation>
    </message>
    <message>
        <source>%1 jobs finished</source>
        <translation>%1 trabajos terminados</translation>
    </message>
    <message numerus="yes">
        <source>, %n failed</source>
        <translation>
            <numerusform>, %n fallido</numerusform>
            <numerusform>, %n fallidos</numerusform>
        </translation>
    </message>
    <message>
        <source>The queue is done</source>
        <translation>La cola ha terminado</translation>
    </message>
</context>
<context>
    <name>vtfarm::ui::WatchFoldersPage</name>
    <message>
        <source>Also the folders inside it</source>
        <translation>También las carpetas que contiene</translation>
    </message>
    <message>
        <source>Add a watch folder</source>
        <translation>Añadir una carpeta vigilada</translation>
    </message>
    <message>
        <source>Default settings (H.264 720p 1000k)</source>
        <translation>Ajustes predeterminados (H.264 720p 1000k)</translation>
    </message>
    <message>
        <source>{name} is the source file&apos;s name without its extension</source>
        <translation>{name} es el nombre del archivo original sin su extensión</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>A file is taken once its size and time have not changed for this long: a file still being copied in is left alone.</source>
        <translation>Un archivo se toma cuando su tamaño y su fecha no han cambiado durante este tiempo: un archivo que aún se está copiando se deja en paz.</translation>
    </message>
    <message>
        <source>Watch</source>
        <translation>Vigilar</translation>
    </message>
    <message>
        <source>Folder to watch</source>
        <translation>Carpeta que vigilar</translation>
    </message>
    <message>
        <source>Save to</source>
        <translation>Guardar en</translation>
    </message>
    <message>
        <source>Folder the transcoded files go to</source>
        <translation>Carpeta a la que van los archivos transcodificados</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>Preajuste</translation>
    </message>
    <message>
        <source>File name</source>
        <translation>Nombre de archivo</translation>
    </message>
    <message>
        <source>Wait until unchanged for</source>
        <translation>Esperar a que no cambie durante</translation>
    </message>
    <message>
        <source>Choose a folder</source>
        <translation>Elegir una carpeta</translation>
    </message>
    <message>
        <source>There is no preset named “%1” any more; remove the folder and add it again.</source>
        <translation>Ya no hay ningún preajuste llamado «%1»; quite la carpeta y vuelva a añadirla.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>Añadir…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Quitar</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausar</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Carpeta</translation>
    </message>
    <message>
        <source>Saves to</source>
        <translation>Guarda en</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>Trabajos</translation>
    </message>
    <message>
        <source>Video files that appear in these folders are transcoded once they are complete; each file once, also after a restart.</source>
        <translation>Los archivos de vídeo que aparecen en estas carpetas se transcodifican en cuanto están completos; cada archivo una vez, también tras reiniciar.</translation>
    </message>
    <message>
        <source>Choose the folder to watch.</source>
        <translation>Elija la carpeta que vigilar.</translation>
    </message>
    <message>
        <source>Choose the folder the transcoded files go to.</source>
        <translation>Elija la carpeta a la que van los archivos transcodificados.</translation>
    </message>
    <message>
        <source>Save to another folder than the watched one: every output would be taken as a new video.</source>
        <translation>Guarde en una carpeta distinta de la vigilada: cada salida se tomaría como un vídeo nuevo.</translation>
    </message>
    <message>
        <source>%1 is watched already.</source>
        <translation>%1 ya está vigilada.</translation>
    </message>
    <message>
        <source>%1 (and its folders)</source>
        <translation>%1 (y sus carpetas)</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Predeterminado</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>En pausa</translation>
    </message>
    <message>
        <source>Starts when the settings are saved</source>
        <translation>Empieza al guardar las preferencias</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reanudar</translation>
    </message>
</context>
<context>
    <name>vtfarm::watch::WatchFolder</name>
    <message>
        <source>&apos;%1&apos; is not true or false</source>
        <translation>«%1» no es true ni false</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a number of seconds</source>
        <translation>«%1» no es un número de segundos</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a whole number</source>
        <translation>«%1» no es un número entero</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a key of a watch folder; the keys are %2</source>
        <translation>«%1» no es una clave de una carpeta vigilada; las claves son %2</translation>
    </message>
    <message>
        <source>Name the folder to watch.</source>
        <translation>Indique la carpeta que vigilar.</translation>
    </message>
    <message>
        <source>Name the folder the outputs go to.</source>
        <translation>Indique la carpeta a la que van las salidas.</translation>
    </message>
    <message>
        <source>The watch folder must be a full path, like /srv/camera.</source>
        <translation>La carpeta vigilada debe ser una ruta completa, como /srv/camara.</translation>
    </message>
    <message>
        <source>The output folder must be a full path, like /srv/transcoded.</source>
        <translation>La carpeta de salida debe ser una ruta completa, como /srv/transcodificados.</translation>
    </message>
    <message>
        <source>The output folder must not be the watched folder: every output would be taken as a new input.</source>
        <translation>La carpeta de salida no debe ser la vigilada: cada salida se tomaría como una entrada nueva.</translation>
    </message>
    <message>
        <source>The settle time is a number of seconds from 0 to 3600.</source>
        <translation>El tiempo de espera es un número de segundos entre 0 y 3600.</translation>
    </message>
    <message>
        <source>The rescan interval is a number of seconds from 0.1 to 3600.</source>
        <translation>El intervalo de revisión es un número de segundos entre 0,1 y 3600.</translation>
    </message>
    <message>
        <source>The name pattern is empty; {name} is the input&apos;s name.</source>
        <translation>El patrón del nombre está vacío; {name} es el nombre de la entrada.</translation>
    </message>
    <message>
        <source>The job queue is not open.</source>
        <translation>La cola de trabajos no está abierta.</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Detenida</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>En pausa</translation>
    </message>
    <message>
        <source>Folder missing; looking for it every %1 s</source>
        <translation>Falta la carpeta; se busca cada %1 s</translation>
    </message>
    <message>
        <source>Watching; %1</source>
        <translation>Vigilando; %1</translation>
    </message>
    <message numerus="yes">
        <source>Watching; %n file(s) still being written</source>
        <translation>
            <numerusform>Vigilando; %n archivo aún se está escribiendo</numerusform>
            <numerusform>Vigilando; %n archivos aún se están escribiendo</numerusform>
        </translation>
    </message>
    <message>
        <source>Watching</source>
        <translation>Vigilando</translation>
    </message>
    <message>
        <source>The watch folder %1 is missing (an unmounted disk?); looking for it again every %2 s.</source>
        <translation>Falta la carpeta vigilada %1 (¿un disco desmontado?); se vuelve a buscar cada %2 s.</translation>
    </message>
    <message>
        <source>The watch folder %1 is back.</source>
        <translation>La carpeta vigilada %1 ha vuelto.</translation>
    </message>
    <message>
        <source>%1 cannot be opened for reading (%2); it is tried again.</source>
        <translation>%1 no se puede abrir para leer (%2); se volverá a intentar.</translation>
    </message>
    <message>
        <source>%1 could not be queued: %2</source>
        <translation>%1 no se pudo poner en cola: %2</translation>
    </message>
</context>
<context>
    <name>vtfarm::watch::WatchFolders</name>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
</context>
</TS>
